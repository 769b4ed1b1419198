/// The fake's HTML pages: account chooser + granular consent, Google-style error page, and the
/// photo picker. Plain forms, no script, so they work under a strict CSP and in any browser test.
enum FakeConsentPage {
    static let style = """
        <style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}\
        fieldset{margin:1rem 0}label{display:block;margin:.3rem 0}button{margin-right:1rem;padding:.4rem 1.2rem}\
        .note{color:#555;font-size:.9rem}</style>
        """

    static func page(_ title: String, _ body: String) -> String {
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(FakeHTTP.escapeHTML(title))</title>"
            + style + "</head><body>" + body + "</body></html>"
    }

    static func consent(_ pending: FakeRecord.PendingAuthorization, users: [FakeGoogleUser], selected: String) -> String
    {
        let request = pending.request
        let e = FakeHTTP.escapeHTML
        var html = "<h1>Sign in with Google (fake)</h1>"
        html += "<p><strong id=\"client\">\(e(request.clientID))</strong> wants to access your Google Account.</p>"
        html += "<form method=\"post\" action=\"/o/oauth2/v2/auth/decision\">"
        html += "<input type=\"hidden\" name=\"request\" value=\"\(e(pending.id))\">"
        html += "<fieldset><legend>Choose an account</legend>"
        for user in users {
            let checked = user.sub == selected ? " checked" : ""
            html +=
                "<label><input type=\"radio\" name=\"user\" value=\"\(e(user.sub))\"\(checked)> \(e(user.name)) &lt;\(e(user.email))&gt;</label>"
        }
        html += "</fieldset>"
        let signIn = request.scopes.filter(GoogleScope.signIn.contains)
        if !signIn.isEmpty {
            html += "<fieldset><legend>Sign-in (always shared)</legend>"
            for scope in signIn {
                html +=
                    "<input type=\"hidden\" name=\"scope\" value=\"\(e(scope))\"><p>\(e(GoogleScope.label(scope)))</p>"
            }
            html += "</fieldset>"
        }
        let optional = request.scopes.filter { !GoogleScope.signIn.contains($0) }
        if !optional.isEmpty {
            html += "<fieldset><legend>Select what the app can access</legend>"
            for scope in optional {
                html +=
                    "<label><input type=\"checkbox\" name=\"scope\" value=\"\(e(scope))\" checked> \(e(GoogleScope.label(scope))) <span class=\"note\">(\(e(scope)))</span></label>"
            }
            html += "</fieldset>"
        }
        html += "<button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button>"
        html += "<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Cancel</button></form>"
        if request.offline { html += "<p class=\"note\">The app asks for offline access.</p>" }
        return page("Sign in - Google Accounts (fake)", html)
    }

    static func error(_ error: String, _ description: String) -> String {
        let e = FakeHTTP.escapeHTML
        return page(
            "Error \(error)",
            "<h1>Access blocked: Authorization Error</h1><p id=\"error\">Error 400: \(e(error))</p><p>\(e(description))</p>"
        )
    }

    static func picker(sessionID: String, files: [String], autoclose: Bool) -> String {
        let e = FakeHTTP.escapeHTML
        let action = "/picker/\(e(sessionID))" + (autoclose ? "/autoclose" : "")
        var html = "<h1>Google Photos (fake picker)</h1>"
        guard !files.isEmpty else {
            return page("Google Photos", html + "<p>No photos: start the fake with <code>--photos DIR</code>.</p>")
        }
        html += "<form method=\"post\" action=\"\(action)\"><fieldset><legend>Select photos</legend>"
        for name in files {
            html += "<label><input type=\"checkbox\" name=\"file\" value=\"\(e(name))\"> \(e(name))</label>"
        }
        html += "</fieldset><button type=\"submit\" name=\"pick\" value=\"selected\" id=\"done\">Done</button>"
        html +=
            "<button type=\"submit\" name=\"pick\" value=\"all\" id=\"pick-all\">Pick all \(files.count)</button></form>"
        return page("Google Photos", html)
    }

    static func pickerMessage(_ message: String) -> String {
        page(
            "Google Photos", "<h1>Google Photos (fake picker)</h1><p id=\"message\">\(FakeHTTP.escapeHTML(message))</p>"
        )
    }
}
