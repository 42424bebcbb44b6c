using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SenderAuth.Mail;
using SenderAuth.Milter;

namespace SenderAuth.Bench;

/// <summary>
/// The milter alone, without an MTA: plays Postfix's side of the protocol (its v6 offer, connect/HELO/MAIL/RCPT
/// when not skipped, headers, body, end of message, one message per connection as smtp-source's sessions give)
/// against any milter, C connections at once for S seconds. Prints messages/s and how many came back signed.
/// Usage: --throughput milter --address 127.0.0.1:PORT --message FILE [--seconds 10] [--connections 16]
/// </summary>
public static class MilterThroughput
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var address = options["--address"].Split(':');
        var host = address[0];
        var port = int.Parse(address[1], System.Globalization.CultureInfo.InvariantCulture);
        var seconds = double.Parse(options.GetValueOrDefault("--seconds", "10"), System.Globalization.CultureInfo.InvariantCulture);
        var connections = int.Parse(options.GetValueOrDefault("--connections", "16"), System.Globalization.CultureInfo.InvariantCulture);
        var raw = await File.ReadAllBytesAsync(options["--message"]).ConfigureAwait(false);
        var message = MailMessage.Parse(raw);
        var fields = message.Headers.Select(h =>
        {
            var text = Encoding.UTF8.GetString(h.Raw.Span).TrimEnd('\r', '\n');
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return (Name: text[..colon], Value: text[(colon + 1)..].Replace("\r\n", "\n", StringComparison.Ordinal));
        }).ToList();
        var body = message.Body.ToArray();

        // Warm-up (JIT on both sides, connection setup paths), then the timed window.
        await LoadAsync(host, port, connections, TimeSpan.FromSeconds(Math.Min(2, seconds / 3)), fields, body).ConfigureAwait(false);
        var (sent, signed, elapsed) = await LoadAsync(host, port, connections, TimeSpan.FromSeconds(seconds), fields, body).ConfigureAwait(false);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["what"] = "milter",
            ["messages"] = sent,
            ["signed"] = signed,
            ["seconds"] = elapsed,
            ["msgs_per_s"] = sent / elapsed,
        }));
        return 0;
    }

    private static async Task<(long Sent, long Signed, double Elapsed)> LoadAsync(string host, int port, int connections, TimeSpan window,
        List<(string Name, string Value)> fields, byte[] body)
    {
        long sent = 0, signed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            while (clock.Elapsed < window)
            {
                if (await OneAsync(host, port, fields, body).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref signed);
                }
                Interlocked.Increment(ref sent);
            }
        })).ConfigureAwait(false);
        return (sent, signed, clock.Elapsed.TotalSeconds);
    }

    /// <summary>One Postfix SMTP session's milter conversation; true when the message came back with a DKIM-Signature.</summary>
    private static async Task<bool> OneAsync(string host, int port, List<(string Name, string Value)> fields, byte[] body)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var output = new ArrayBufferWriter<byte>(4096);
        var input = new byte[64 * 1024];
        var negotiate = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(negotiate, 6);
        BinaryPrimitives.WriteUInt32BigEndian(negotiate.AsSpan(4), 0x1FF);
        BinaryPrimitives.WriteUInt32BigEndian(negotiate.AsSpan(8), 0x1FFFFF);
        Packet(output, MilterCommand.OptionNegotiation, negotiate);
        var reply = await ExchangeAsync(stream, output, input).ConfigureAwait(false);
        var steps = (MilterSteps)BinaryPrimitives.ReadUInt32BigEndian(reply.Data.AsSpan(8));
        var leadingSpace = steps.HasFlag(MilterSteps.HeaderLeadingSpace);

        async Task StepAsync(MilterCommand command, byte[] data, MilterSteps skip, MilterSteps noReply)
        {
            if (skip != MilterSteps.None && steps.HasFlag(skip))
            {
                return;
            }
            Packet(output, command, data);
            if (!steps.HasFlag(noReply))
            {
                var r = await ExchangeAsync(stream, output, input).ConfigureAwait(false);
                if (r.Code != MilterReply.Continue)
                {
                    throw new InvalidOperationException($"milter answered {(char)r.Code} to {command}");
                }
            }
        }

        Packet(output, MilterCommand.Macro, Macros('C', "j", "mta.bench.test", "{daemon_name}", "smtpd", "_", "localhost [127.0.0.1]"));
        await StepAsync(MilterCommand.Connect, [.. "localhost\0"u8, (byte)'4', 0x30, 0x39, .. "127.0.0.1\0"u8], MilterSteps.NoConnect, MilterSteps.NoReplyConnect).ConfigureAwait(false);
        await StepAsync(MilterCommand.Helo, Z("app.bench.test"), MilterSteps.NoHelo, MilterSteps.NoReplyHelo).ConfigureAwait(false);
        Packet(output, MilterCommand.Macro, Macros('M', "i", "4Xk2pQ0Zr1z9tH", "{mail_addr}", "tickets@mosamuseum.com"));
        await StepAsync(MilterCommand.Mail, Z("<tickets@mosamuseum.com>"), MilterSteps.NoMail, MilterSteps.NoReplyMail).ConfigureAwait(false);
        await StepAsync(MilterCommand.Recipient, Z("<jane.doe@example.net>"), MilterSteps.NoRecipient, MilterSteps.NoReplyRecipient).ConfigureAwait(false);
        await StepAsync(MilterCommand.Data, [], MilterSteps.NoData, MilterSteps.NoReplyData).ConfigureAwait(false);
        foreach (var (name, value) in fields)
        {
            await StepAsync(MilterCommand.Header, Z(name, leadingSpace || !value.StartsWith(' ') ? value : value[1..]), MilterSteps.NoHeaders, MilterSteps.NoReplyHeader).ConfigureAwait(false);
        }
        await StepAsync(MilterCommand.EndOfHeaders, [], MilterSteps.NoEndOfHeaders, MilterSteps.NoReplyEndOfHeaders).ConfigureAwait(false);
        await StepAsync(MilterCommand.Body, body, MilterSteps.NoBody, MilterSteps.NoReplyBody).ConfigureAwait(false);
        Packet(output, MilterCommand.EndOfMessage, []);
        var isSigned = false;
        while (true)
        {
            var r = await ExchangeAsync(stream, output, input).ConfigureAwait(false);
            if (r.Code is MilterReply.InsertHeader or MilterReply.AddHeader && Encoding.ASCII.GetString(r.Data).Contains("DKIM-Signature\0", StringComparison.Ordinal))
            {
                isSigned = true;
            }
            if (r.Code is MilterReply.Continue or MilterReply.Accept or MilterReply.TempFail or MilterReply.Reject or MilterReply.ReplyCode or MilterReply.Discard)
            {
                break;
            }
        }
        Packet(output, MilterCommand.Quit, []);
        await stream.WriteAsync(output.WrittenMemory).ConfigureAwait(false);
        return isSigned;
    }

    private static void Packet(ArrayBufferWriter<byte> output, MilterCommand command, ReadOnlySpan<byte> data)
    {
        var span = output.GetSpan(5 + data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(data.Length + 1));
        span[4] = (byte)command;
        data.CopyTo(span[5..]);
        output.Advance(5 + data.Length);
    }

    /// <summary>SMFIC_MACRO: the command's code byte (no NUL), then name/value pairs.</summary>
    private static byte[] Macros(char command, params string[] pairs) => [(byte)command, .. Z(pairs)];

    private static byte[] Z(params string[] parts) => Encoding.UTF8.GetBytes(string.Concat(parts.Select(p => p + "\0")));

    /// <summary>Sends what is queued, reads one reply.</summary>
    private static async Task<(MilterReply Code, byte[] Data)> ExchangeAsync(NetworkStream stream, ArrayBufferWriter<byte> output, byte[] buffer)
    {
        if (output.WrittenCount > 0)
        {
            await stream.WriteAsync(output.WrittenMemory).ConfigureAwait(false);
            output.ResetWrittenCount();
        }
        await stream.ReadExactlyAsync(buffer.AsMemory(0, 4)).ConfigureAwait(false);
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(buffer);
        var data = length <= buffer.Length ? buffer : new byte[length];
        await stream.ReadExactlyAsync(data.AsMemory(0, length)).ConfigureAwait(false);
        return ((MilterReply)data[0], data[1..length]);
    }
}
