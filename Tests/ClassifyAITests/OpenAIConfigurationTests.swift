import ClassifyAI
import ClassifyCore
import Testing

/// `OpenAIConfiguration` from the environment: off without key and base URL, defaults, and
/// errors that name the variable (and never show the key).
@Suite struct OpenAIConfigurationTests {
    static let key = "sk-test-abcdefghijklmnopqrstuvwxyz0123456789"

    @Test func taggingIsOffWithoutKeyAndBaseURL() throws {
        for environment in [[:], ["OPENAI_API_KEY": "", "OPENAI_BASE_URL": "  "], ["OPENAI_MODEL": "gpt-4o"]] {
            let configuration = try OpenAIConfiguration(environment: environment)
            #expect(!configuration.isEnabled)
            let reason = try #require(configuration.disabledReason)
            #expect(reason.contains("OPENAI_API_KEY") && reason.contains("OPENAI_BASE_URL"))
            #expect(throws: TaggingFailure.off(reason: reason)) { try OpenAITagger(configuration: configuration) }
            #expect(TaggingFailure.off(reason: reason).description.hasPrefix("tagging is off"))
        }
    }

    @Test func aKeyAloneTalksToOpenAIWithTheDefaults() throws {
        let configuration = try OpenAIConfiguration(environment: ["OPENAI_API_KEY": Self.key])
        #expect(configuration.isEnabled && configuration.disabledReason == nil)
        #expect(configuration.hasAPIKey)
        #expect(configuration.baseURL == "https://api.openai.com/v1")
        #expect(configuration.model == "gpt-4o-mini")
        #expect(configuration.concurrency == 4)
        #expect(configuration.timeout == .seconds(60))
        #expect(configuration.pricing == OpenAIPricing(inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.60))
        #expect(configuration.tokenLimitParameter == .maxCompletionTokens)
        #expect(configuration.maxCompletionTokens == 300)
        #expect(configuration.maxImageSide == 512)
        let cost = try #require(configuration.estimatedCost(promptTokens: 1_000_000, completionTokens: 1_000_000))
        #expect(abs(cost - 0.75) < 1e-9)
    }

    @Test func aBaseURLAloneIsALocalServerWithoutKey() throws {
        let configuration = try OpenAIConfiguration(environment: [
            "OPENAI_BASE_URL": "http://localhost:11434/v1/", "OPENAI_MODEL": "qwen2.5vl",
        ])
        #expect(configuration.isEnabled && !configuration.hasAPIKey)
        #expect(configuration.baseURL == "http://localhost:11434/v1")
        #expect(configuration.model == "qwen2.5vl")
        #expect(configuration.tokenLimitParameter == .maxTokens)  // Ollama ignores max_completion_tokens
        #expect(configuration.pricing == nil)
        #expect(configuration.estimatedCost(promptTokens: 10, completionTokens: 10) == nil)
        #expect(throws: Never.self) { try OpenAITagger(configuration: configuration) }
    }

    @Test func everySettingIsRead() throws {
        let configuration = try OpenAIConfiguration(environment: [
            "OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": "https://example.test/openai/v1", "OPENAI_MODEL": "gpt-4o",
            "OPENAI_CONCURRENCY": "9", "OPENAI_TIMEOUT_SECONDS": "12.5", "OPENAI_PRICE_INPUT_PER_MTOK": "2.5",
            "OPENAI_PRICE_OUTPUT_PER_MTOK": "10", "OPENAI_TOKEN_LIMIT_PARAM": "max_tokens",
        ])
        #expect(configuration.baseURL == "https://example.test/openai/v1")
        #expect(configuration.model == "gpt-4o")
        #expect(configuration.concurrency == 9)
        #expect(configuration.timeout == .milliseconds(12_500))
        #expect(configuration.pricing == OpenAIPricing(inputPerMillionTokens: 2.5, outputPerMillionTokens: 10))
        #expect(configuration.tokenLimitParameter == .maxTokens)
        // One price overrides gpt-4o-mini's default, the other keeps it.
        let mini = try OpenAIConfiguration(environment: [
            "OPENAI_API_KEY": Self.key, "OPENAI_PRICE_OUTPUT_PER_MTOK": "1",
        ])
        #expect(mini.pricing == OpenAIPricing(inputPerMillionTokens: 0.15, outputPerMillionTokens: 1))
    }

    @Test(arguments: [
        ("OPENAI_CONCURRENCY", "0"), ("OPENAI_CONCURRENCY", "65"), ("OPENAI_CONCURRENCY", "four"),
        ("OPENAI_TIMEOUT_SECONDS", "0"), ("OPENAI_TIMEOUT_SECONDS", "-5"), ("OPENAI_TIMEOUT_SECONDS", "soon"),
        ("OPENAI_TIMEOUT_SECONDS", "4000"), ("OPENAI_PRICE_INPUT_PER_MTOK", "cheap"),
        ("OPENAI_PRICE_OUTPUT_PER_MTOK", "-1"), ("OPENAI_BASE_URL", "ftp://example.test/v1"),
        ("OPENAI_BASE_URL", "api.openai.com/v1"), ("OPENAI_BASE_URL", "https://example.test/v1?x=1"),
        ("OPENAI_MODEL", "gpt 4o"), ("OPENAI_TOKEN_LIMIT_PARAM", "tokens"),
    ])
    func aBadValueNamesItsVariable(variable: String, value: String) {
        var environment = ["OPENAI_API_KEY": Self.key]
        environment[variable] = value
        do {
            _ = try OpenAIConfiguration(environment: environment)
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            guard case .invalid(let named, _, _) = error else {
                Issue.record("\(variable)=\(value): \(error)")
                return
            }
            #expect(named == variable)
            #expect(error.description.hasPrefix(variable))
            #expect(!error.description.contains(Self.key))
        }
    }

    @Test func aBadKeyIsNamedButNeverShown() {
        let key = "sk-with space-secret"
        do {
            _ = try OpenAIConfiguration(environment: ["OPENAI_API_KEY": "sk-with space-secret"])
            Issue.record("a key with a space was accepted")
        } catch {
            #expect(error == .invalid(variable: "OPENAI_API_KEY", value: "(hidden)", reason: error.reason))
            #expect(!error.description.contains(key) && !error.description.contains("secret"))
        }
    }

    @Test func credentialsInTheBaseURLAreRefusedWithoutShowingThem() {
        do {
            _ = try OpenAIConfiguration(environment: ["OPENAI_BASE_URL": "https://user:hunter2@example.test/v1"])
            Issue.record("credentials in the base URL were accepted")
        } catch {
            #expect(error.description.hasPrefix("OPENAI_BASE_URL"))
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func anotherModelNeedsBothPricesOrNone() {
        #expect(
            throws: ConfigError.missing(
                variable: "OPENAI_PRICE_OUTPUT_PER_MTOK",
                reason:
                    "gpt-4o has no default price: set both OPENAI_PRICE_INPUT_PER_MTOK and OPENAI_PRICE_OUTPUT_PER_MTOK"
            )
        ) {
            try OpenAIConfiguration(environment: [
                "OPENAI_API_KEY": Self.key, "OPENAI_MODEL": "gpt-4o", "OPENAI_PRICE_INPUT_PER_MTOK": "2.5",
            ])
        }
    }

    @Test func theDescriptionHidesTheKey() throws {
        let configuration = try OpenAIConfiguration(environment: ["OPENAI_API_KEY": Self.key])
        #expect(configuration.description.contains("key set"))
        #expect(!configuration.description.contains(Self.key))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains(Self.key))
        #expect(!"\(configuration)".contains(Self.key))
    }
}

extension ConfigError {
    var reason: String {
        switch self {
        case .invalid(_, _, let reason), .missing(_, let reason): reason
        }
    }
}
