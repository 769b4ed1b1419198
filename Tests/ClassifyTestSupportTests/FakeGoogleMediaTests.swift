import Foundation
import ImageDecoding
import Testing

@testable import ClassifyTestSupport

/// Bytes at picker `baseUrl`s (spec 2.4) and the EXIF metadata the picker reports.
@Suite struct FakeGoogleMediaTests {
    typealias H = FakeGoogleHarness

    /// A picked photo's baseUrl and the token of its owner.
    func pickedBaseURL(_ h: H, file: String = "sharp-coffee.jpg") async throws -> (baseURL: String, token: String) {
        let token = try await h.accessToken()
        let id = try #require(try await h.postJSON("/photospicker/v1/sessions", bearer: token).json["id"] as? String)
        _ = try await h.postJSON("/fake/sessions/\(id)/pick", ["files": [H.photos + "/" + file]])
        let list = try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)", bearer: token)
        let item = try #require((list.json["mediaItems"] as? [[String: Any]])?.first)
        let baseURL = try #require((item["mediaFile"] as? [String: Any])?["baseUrl"] as? String)
        return (baseURL, token)
    }

    @Test func aBaseURLNeedsTheOwnersBearerToken() async throws {
        try await H.run { h in
            let (baseURL, token) = try await pickedBaseURL(h)
            let bare = try await h.get(baseURL + "=w200-h200")
            #expect(bare.status == 403)
            #expect(bare.errorStatus == nil)  // not the JSON envelope
            let bob = try await h.accessToken(user: "bob@example.com")
            #expect(try await h.get(baseURL + "=w200-h200", bearer: bob).status == 403)
            let noPicker = try await h.accessToken(scopes: ["openid", GoogleScope.appendOnly])
            #expect(try await h.get(baseURL + "=w200-h200", bearer: noPicker).status == 403)
            let ok = try await h.get(baseURL + "=w200-h200", bearer: token)
            #expect(ok.status == 200)
            #expect(ok.headers[.contentType] == "image/jpeg")
            #expect(try await h.get(H.base + "/lh3/ppa/unknown=w200-h200", bearer: token).status == 404)
        }
    }

    @Test func sizeOptionsFitTheBoxAndDownloadGivesTheOriginal() async throws {
        try await H.run { h in
            let (baseURL, token) = try await pickedBaseURL(h)  // 600×400
            let small = try await h.get(baseURL + "=w150-h150", bearer: token)
            let probe = try ImageDecoder().probe(small.bytes)
            #expect(max(probe.width, probe.height) == 150)
            let wide = try ImageDecoder().probe(try await h.get(baseURL + "=w300", bearer: token).bytes)
            #expect(wide.width == 300)
            let original = try await h.get(baseURL + "=d", bearer: token)
            let file = try Data(contentsOf: URL(fileURLWithPath: H.photos + "/sharp-coffee.jpg"))
            #expect(original.bytes == [UInt8](file))
            #expect(try await h.get(baseURL + "=wabc", bearer: token).status == 400)
            let noUpscale = try ImageDecoder().probe(try await h.get(baseURL + "=w4000-h4000", bearer: token).bytes)
            #expect(noUpscale.width == 600)
        }
    }

    @Test func aBaseURLExpiresAndListingAgainGivesAFreshOne() async throws {
        try await H.run({ $0.baseURLTTL = 60 }) { h in
            let (baseURL, token) = try await pickedBaseURL(h)
            await h.fake.advanceClock(seconds: 61)
            let expired = try await h.get(baseURL + "=w100-h100", bearer: token)
            #expect(expired.status == 403)
            let token2 = try await h.accessToken()  // the old access token may have expired too in real life
            let sessions = await h.fake.state().sessions
            let id = try #require(sessions.first?.id)
            let list = try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)", bearer: token2)
            let fresh = try #require(
                ((list.json["mediaItems"] as? [[String: Any]])?.first?["mediaFile"] as? [String: Any])?["baseUrl"]
                    as? String)
            #expect(fresh != baseURL)
            #expect(try await h.get(fresh + "=w100-h100", bearer: token2).status == 200)
            #expect(try await h.postJSON("/fake/base-urls/expire").status == 200)
            #expect(try await h.get(fresh + "=w100-h100", bearer: token2).status == 403)
        }
    }

    @Test func revokingTheGrantKillsBaseURLAccess() async throws {
        try await H.run { h in
            let (baseURL, token) = try await pickedBaseURL(h)
            #expect(try await h.postForm("/revoke", [("token", token)]).status == 200)
            #expect(try await h.get(baseURL + "=w100-h100", bearer: token).status == 403)
        }
    }

    @Test func exifCameraAndExposureAreReported() async throws {
        try await H.run { h in
            let jpeg = try [UInt8](Data(contentsOf: URL(fileURLWithPath: H.photos + "/sharp-cat.jpg")))
            let tagged = Array(jpeg[0..<2]) + Self.exifSegment() + Array(jpeg[2...])
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "fake-exif-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("DSC01664.JPG").path
            try Data(tagged).write(to: URL(fileURLWithPath: path))

            let token = try await h.accessToken()
            let id = try #require(
                try await h.postJSON("/photospicker/v1/sessions", bearer: token).json["id"] as? String)
            _ = try await h.postJSON("/fake/sessions/\(id)/pick", ["folder": directory.path])
            let list = try await h.get("/photospicker/v1/mediaItems?sessionId=\(id)", bearer: token)
            let item = try #require((list.json["mediaItems"] as? [[String: Any]])?.first)
            #expect(item["createTime"] as? String == "2010-03-14T15:06:31.000Z")
            let metadata = try #require((item["mediaFile"] as? [String: Any])?["mediaFileMetadata"] as? [String: Any])
            #expect(metadata["cameraMake"] as? String == "SONY")
            #expect(metadata["cameraModel"] as? String == "DSC-W220")
            let photo = try #require(metadata["photoMetadata"] as? [String: Any])
            #expect(photo["apertureFNumber"] as? Double == 2.8)
            #expect(photo["isoEquivalent"] as? Int == 320)
            #expect(photo["exposureTime"] as? String == "0.033333333s")
        }
    }

    @Test func durationsAreProtobufStrings() {
        #expect(FakeTime.duration(5) == "5s")
        #expect(FakeTime.duration(1799.5) == "1799.5s")
        #expect(FakeTime.duration(-3) == "0s")
    }

    /// An APP1 segment with a big-endian TIFF: IFD0 (Make, Model, Exif pointer) and an Exif IFD
    /// (ExposureTime 1/30, FNumber 28/10, ISO 320, DateTimeOriginal).
    static func exifSegment() -> [UInt8] {
        var tiff: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8]
        func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v >> 16) + u16(v & 0xFFFF) }
        let make = Array("SONY\0".utf8), model = Array("DSC-W220\0".utf8), date = Array("2010:03:14 15:06:31\0".utf8)
        let ifd0Size = 2 + 3 * 12 + 4
        let exifIFDSize = 2 + 4 * 12 + 4
        let makeAt = 8 + ifd0Size, modelAt = makeAt + make.count, exifAt = modelAt + model.count
        let dataAt = exifAt + exifIFDSize, fNumberAt = dataAt + 8, dateAt = fNumberAt + 8
        tiff += u16(3)
        tiff += u16(0x010F) + u16(2) + u32(make.count) + u32(makeAt)
        tiff += u16(0x0110) + u16(2) + u32(model.count) + u32(modelAt)
        tiff += u16(0x8769) + u16(4) + u32(1) + u32(exifAt)
        tiff += u32(0) + make + model
        tiff += u16(4)
        tiff += u16(0x829A) + u16(5) + u32(1) + u32(dataAt)
        tiff += u16(0x829D) + u16(5) + u32(1) + u32(fNumberAt)
        tiff += u16(0x8827) + u16(3) + u32(1) + u16(320) + u16(0)
        tiff += u16(0x9003) + u16(2) + u32(date.count) + u32(dateAt)
        tiff += u32(0) + u32(1) + u32(30) + u32(28) + u32(10) + date
        let payload = Array("Exif\0\0".utf8) + tiff
        return [0xFF, 0xE1] + u16(payload.count + 2) + payload
    }
}
