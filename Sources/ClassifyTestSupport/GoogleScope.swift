/// The OAuth scope strings Google knows for Classify's APIs (spec 1.7), normalised to the form
/// Google answers with: `email` and `profile` come back as their long URLs.
public enum GoogleScope {
    public static let openid = "openid"
    public static let email = "https://www.googleapis.com/auth/userinfo.email"
    public static let profile = "https://www.googleapis.com/auth/userinfo.profile"
    public static let picker = "https://www.googleapis.com/auth/photospicker.mediaitems.readonly"
    public static let appendOnly = "https://www.googleapis.com/auth/photoslibrary.appendonly"
    public static let readAppCreated = "https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata"
    public static let editAppCreated = "https://www.googleapis.com/auth/photoslibrary.edit.appcreateddata"

    /// Sign-in scopes: granted as a block, never offered as a checkbox.
    public static let signIn: Set<String> = [openid, email, profile]
    static let known: Set<String> = [openid, email, profile, picker, appendOnly, readAppCreated, editAppCreated]
    /// Removed on 31 March 2025: requesting them is an `invalid_scope`.
    static let gone: Set<String> = [
        "https://www.googleapis.com/auth/photoslibrary",
        "https://www.googleapis.com/auth/photoslibrary.readonly",
        "https://www.googleapis.com/auth/photoslibrary.sharing",
    ]

    /// The long form of a scope string; `email`/`profile` and their long URLs are one scope.
    public static func normalize(_ scope: String) -> String {
        switch scope {
        case "email": email
        case "profile": profile
        default: scope
        }
    }

    /// Splits a space-delimited scope parameter (Google also accepts `+` once decoded as a space).
    static func parse(_ value: String) -> [String] {
        var seen = Set<String>(), result: [String] = []
        for raw in value.split(whereSeparator: { $0 == " " || $0 == "+" }) {
            let scope = normalize(String(raw))
            if seen.insert(scope).inserted { result.append(scope) }
        }
        return result
    }

    /// A granted set as Google writes it: space-separated, long forms, in no promised order.
    static func format(_ scopes: Set<String>) -> String {
        scopes.sorted().joined(separator: " ")
    }

    /// A human label for the consent page.
    static func label(_ scope: String) -> String {
        switch scope {
        case openid: "Associate you with your personal info on Google"
        case email: "See your primary Google Account email address"
        case profile: "See your personal info, including any personal info you've made publicly available"
        case picker: "View and download the photos and videos you select in Google Photos"
        case appendOnly: "Add to your Google Photos library"
        case readAppCreated: "View and download photos and videos this app created in Google Photos"
        case editAppCreated: "Edit the info in photos, videos and albums this app created in Google Photos"
        default: scope
        }
    }
}
