using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using SenderAuth.Milter;

namespace SenderAuth.Tests.Server.Milter;

/// <summary>One reply packet from the milter.</summary>
internal sealed record MilterTestReply(MilterReply Code, byte[] Data)
{
    public string Text => Encoding.UTF8.GetString(Data).TrimEnd('\0');

    /// <summary>SMFIR_INSHEADER / CHGHEADER: index, name, value.</summary>
    public (uint Index, string Name, string Value) Header()
    {
        var index = BinaryPrimitives.ReadUInt32BigEndian(Data);
        var parts = Encoding.UTF8.GetString(Data, 4, Data.Length - 4).Split('\0');
        return (index, parts[0], parts[1]);
    }
}

/// <summary>
/// The MTA side of the milter protocol, written for the tests: sends packets the way Postfix does (offer of
/// version 6 with every action and step) and reads the replies. Raw writes let tests send broken packets.
/// </summary>
internal sealed class MilterClient : IAsyncDisposable
{
    /// <summary>What Postfix 3.7 offers: every action, every step up to HDR_LEADSPC.</summary>
    public const MilterActions PostfixActions = (MilterActions)0x1FF;
    public const MilterSteps PostfixSteps = (MilterSteps)0x1FFFFF;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private MilterClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    public MilterSteps AgreedSteps { get; private set; }

    /// <param name="address">inet:127.0.0.1:PORT or unix:/path, as the listener prints it.</param>
    public static async Task<MilterClient> ConnectAsync(string address)
    {
        if (address.StartsWith("unix:", StringComparison.Ordinal))
        {
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await unix.ConnectAsync(new UnixDomainSocketEndPoint(address[5..]));
            return new MilterClient(unix);
        }
        var parts = address.Split(':');
        var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await tcp.ConnectAsync(parts[1], int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
        return new MilterClient(tcp);
    }

    /// <summary>Negotiates; returns the milter's answer (version, actions, steps).</summary>
    public async Task<(uint Version, MilterActions Actions, MilterSteps Steps)> NegotiateAsync(uint version = 6, MilterActions actions = PostfixActions, MilterSteps steps = PostfixSteps)
    {
        var data = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(data, version);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), (uint)actions);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), (uint)steps);
        await SendBytesAsync(MilterCommand.OptionNegotiation, data);
        var reply = await ReadAsync();
        Assert.NotNull(reply);
        Assert.Equal(MilterReply.OptionNegotiation, reply.Code);
        var answer = MilterPacket.ReadNegotiation(reply.Data);
        AgreedSteps = answer.Steps;
        return answer;
    }

    public Task SendBytesAsync(MilterCommand command, ReadOnlySpan<byte> data)
    {
        var packet = new byte[5 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(data.Length + 1));
        packet[4] = (byte)command;
        data.CopyTo(packet.AsSpan(5));
        return WriteRawAsync(packet);
    }

    public async Task WriteRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    public Task SendAsync(MilterCommand command, params string[] fields) =>
        SendBytesAsync(command, Encoding.UTF8.GetBytes(string.Concat(fields.Select(f => f + "\0"))));

    /// <summary>The next reply, or null when the milter closed the connection.</summary>
    public async Task<MilterTestReply?> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var header = new byte[4];
        if (!await FillAsync(header, timeout.Token))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        var body = new byte[length];
        Assert.True(await FillAsync(body, timeout.Token), "the milter closed inside a reply");
        return new MilterTestReply((MilterReply)body[0], body[1..]);
    }

    /// <summary>True when the milter closed the connection (no more bytes), within 30 s.</summary>
    public async Task<bool> ClosedByPeerAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                var n = await _stream.ReadAsync(buffer, timeout.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> FillAsync(byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), ct);
            }
            catch (IOException)
            {
                return false;
            }
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }

    /// <summary>
    /// Sends one message as Postfix would after negotiation (connect, helo, mail, rcpt only when not skipped;
    /// headers with their leading space; the body in chunks of <paramref name="chunk"/> bytes) and returns the
    /// replies to end of message, up to and including the final verdict.
    /// </summary>
    /// <param name="authIdentity">Sent as the {auth_authen} macro with MAIL, as Postfix does for an authenticated client.</param>
    public async Task<List<MilterTestReply>> SendMessageAsync(string message, int chunk = 65535, string clientIp = "192.0.2.1", string mailFrom = "<bounce@example.net>", string? authIdentity = null)
    {
        var steps = AgreedSteps;
        if (!steps.HasFlag(MilterSteps.NoConnect))
        {
            var ip = Encoding.ASCII.GetBytes(clientIp);
            await SendBytesAsync(MilterCommand.Connect, [.. "client.example.net\0"u8, (byte)'4', 0x30, 0x39, .. ip, 0]);
            await ExpectContinueUnless(steps, MilterSteps.NoReplyConnect);
        }
        if (!steps.HasFlag(MilterSteps.NoHelo))
        {
            await SendAsync(MilterCommand.Helo, "client.example.net");
            await ExpectContinueUnless(steps, MilterSteps.NoReplyHelo);
        }
        await SendAsync(MilterCommand.Macro, "Mi\0" + "ABC123" + (authIdentity is null ? "" : "\0{auth_authen}\0" + authIdentity));
        if (!steps.HasFlag(MilterSteps.NoMail))
        {
            await SendAsync(MilterCommand.Mail, mailFrom);
            await ExpectContinueUnless(steps, MilterSteps.NoReplyMail);
        }
        if (!steps.HasFlag(MilterSteps.NoRecipient))
        {
            await SendAsync(MilterCommand.Recipient, "<visitor@example.org>");
            await ExpectContinueUnless(steps, MilterSteps.NoReplyRecipient);
        }
        var split = message.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headerText = message[..split];
        var body = Encoding.UTF8.GetBytes(message[(split + 4)..]);
        foreach (var field in Fields(headerText))
        {
            var colon = field.IndexOf(':', StringComparison.Ordinal);
            var value = field[(colon + 1)..].Replace("\r\n", "\n", StringComparison.Ordinal);
            if (!steps.HasFlag(MilterSteps.HeaderLeadingSpace) && value.StartsWith(' '))
            {
                value = value[1..];
            }
            await SendAsync(MilterCommand.Header, field[..colon], value);
            await ExpectContinueUnless(steps, MilterSteps.NoReplyHeader);
        }
        await SendBytesAsync(MilterCommand.EndOfHeaders, []);
        await ExpectContinueUnless(steps, MilterSteps.NoReplyEndOfHeaders);
        for (var i = 0; i < body.Length; i += chunk)
        {
            await SendBytesAsync(MilterCommand.Body, body.AsSpan(i, Math.Min(chunk, body.Length - i)));
            await ExpectContinueUnless(steps, MilterSteps.NoReplyBody);
        }
        await SendBytesAsync(MilterCommand.EndOfMessage, []);
        var replies = new List<MilterTestReply>();
        while (true)
        {
            var reply = await ReadAsync();
            Assert.NotNull(reply);
            replies.Add(reply);
            if (reply.Code is MilterReply.Continue or MilterReply.Accept or MilterReply.TempFail or MilterReply.Reject or MilterReply.ReplyCode or MilterReply.Discard)
            {
                return replies;
            }
        }
    }

    private async Task ExpectContinueUnless(MilterSteps agreed, MilterSteps noReply)
    {
        if (!agreed.HasFlag(noReply))
        {
            var reply = await ReadAsync();
            Assert.Equal(MilterReply.Continue, reply?.Code);
        }
    }

    /// <summary>Header fields of a header section, folded lines kept with their field.</summary>
    public static List<string> Fields(string headerSection)
    {
        var fields = new List<string>();
        foreach (var line in headerSection.Split("\r\n"))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && fields.Count > 0)
            {
                fields[^1] += "\r\n" + line;
            }
            else
            {
                fields.Add(line);
            }
        }
        return fields;
    }

    /// <summary>The message as the MTA delivers it after the milter's header insertions (at index 0, in order of the replies).</summary>
    public static string Apply(string message, IEnumerable<MilterTestReply> replies)
    {
        var inserted = new List<string>();
        foreach (var r in replies.Where(r => r.Code == MilterReply.InsertHeader))
        {
            var (index, name, value) = r.Header();
            Assert.Equal(0u, index);
            inserted.Insert(0, $"{name}:{value.Replace("\n", "\r\n", StringComparison.Ordinal)}\r\n");
        }
        return string.Concat(inserted) + message;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
