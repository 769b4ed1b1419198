import Testing

@testable import ClassifyCore

@Suite struct ConfigTests {
    @Test func defaultsAreTheEmbeddedLocalApp() throws {
        let config = try Config(environment: [:], cores: 2)
        #expect(config.port == 8080 && config.host == "127.0.0.1" && config.workers == 2)
        #expect(config.authDatabaseURL == "sqlite:./data/auth.sqlite")
        #expect(config.photosDatabaseURL == "sqlite:./data/photos.sqlite")
        #expect(config.localMode)
        #expect(!config.sqliteFullSync)
    }

    @Test func sqliteDurabilityIsNormalOrFull() throws {
        #expect(try Config(environment: ["SQLITE_SYNC": "FULL"], cores: 2).sqliteFullSync)
        #expect(try !Config(environment: ["SQLITE_SYNC": "normal"], cores: 2).sqliteFullSync)
        #expect(throws: ConfigError.invalid(variable: "SQLITE_SYNC", value: "off", reason: "expected normal or full")) {
            try Config(environment: ["SQLITE_SYNC": "off"], cores: 2)
        }
    }

    @Test func badValuesNameTheirVariable() {
        #expect(
            throws: ConfigError.invalid(variable: "PORT", value: "80a", reason: "expected a whole number in 1…65535")
        ) {
            try Config(environment: ["PORT": "80a"], cores: 2)
        }
        #expect(throws: ConfigError.self) { try Config(environment: ["PHOTOS_DB_URL": "mysql://x"], cores: 2) }
        #expect(throws: ConfigError.self) { try Config(environment: ["WORKERS": "0"], cores: 2) }
    }

    @Test func localModeOffLoopbackNeedsAPassword() throws {
        #expect(throws: ConfigError.self) { try Config(environment: ["HOST": "0.0.0.0"], cores: 2) }
        let config = try Config(environment: ["HOST": "0.0.0.0", "LOCAL_PASSWORD": "s3cret"], cores: 2)
        #expect(config.host == "0.0.0.0")
    }
}
