import ClassifyCore
import Foundation
import Testing

@Suite struct HexTests {
    @Test func everyByteIsTwoLowerCaseDigits() {
        let all = (0...255).map { UInt8($0) }
        let expected = all.map { String(format: "%02x", $0) }.joined()
        #expect(Hex.string(all) == expected)
        #expect(Hex.string([]) == "")
        #expect(Hex.string([0x00, 0x0f, 0xf0, 0xff]) == "000ff0ff")
    }
}
