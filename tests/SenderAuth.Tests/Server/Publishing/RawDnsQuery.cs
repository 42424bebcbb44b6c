using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SenderAuth.Tests.Server.Publishing;

/// <summary>
/// One UDP query built by hand, answer returned as bytes: DnsClient hides truncated answers behind an exception,
/// and the truncation tests need the TC bit and the size actually sent.
/// </summary>
internal static class RawDnsQuery
{
    public sealed record Answer(byte[] Bytes)
    {
        public bool Truncated => (Bytes[2] & 0x02) != 0;

        public bool Authoritative => (Bytes[2] & 0x04) != 0;

        public int Rcode => Bytes[3] & 0x0F;

        public int AnswerCount => BinaryPrimitives.ReadUInt16BigEndian(Bytes.AsSpan(6));
    }

    /// <param name="ednsSize">The EDNS buffer size to advertise; null sends no OPT record.</param>
    public static async Task<Answer> UdpAsync(IPEndPoint server, string name, ushort type, ushort? ednsSize)
    {
        var query = new List<byte> { 0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, (byte)(ednsSize is null ? 0 : 1) };
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            query.Add((byte)label.Length);
            query.AddRange(Encoding.ASCII.GetBytes(label));
        }
        query.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        if (ednsSize is { } size)
        {
            query.AddRange([0, 0, 41, (byte)(size >> 8), (byte)size, 0, 0, 0, 0, 0, 0]);
        }
        using var udp = new UdpClient(server.AddressFamily);
        udp.Connect(server);
        await udp.SendAsync(query.ToArray(), TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        var result = await udp.ReceiveAsync(timeout.Token);
        return new Answer(result.Buffer);
    }
}
