using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SenderAuth.Mail;

namespace SenderAuth.Dkim;

/// <summary>Why the signer refuses a message; written as kebab-case codes by <see cref="DkimTokens.Code(DkimSignRefusal)"/>.</summary>
public enum DkimSignRefusal
{
    /// <summary>The header section cannot be read (limits exceeded).</summary>
    UnreadableMessage,
    /// <summary>No From field (RFC 6376 §5.4 requires From to be signed).</summary>
    NoFrom,
    /// <summary>More than one From field: receivers could show either.</summary>
    MultipleFrom,
    /// <summary>The From field is not an address list, or holds no address.</summary>
    UnreadableFrom,
    /// <summary>The From field holds more than one address.</summary>
    MultipleAuthorAddresses,
    /// <summary>A header line that parsers read differently (<see cref="MailMessage.Ambiguities"/>).</summary>
    AmbiguousHeader,
}

/// <summary>A message the signer refuses (no From, several From fields or addresses, an ambiguous header, unreadable headers).</summary>
/// <param name="refusal">Why, as a stable code.</param>
/// <param name="message">The reason for a person.</param>
/// <param name="ambiguity">With <see cref="DkimSignRefusal.AmbiguousHeader"/>: the first ambiguous line.</param>
public sealed class DkimSignException(DkimSignRefusal refusal, string message, HeaderAmbiguity? ambiguity = null) : Exception(message)
{
    /// <summary>Why the message was refused.</summary>
    public DkimSignRefusal Refusal { get; } = refusal;

    /// <summary>The first ambiguous header line, when that is the reason.</summary>
    public HeaderAmbiguity? Ambiguity { get; } = ambiguity;
}

/// <summary>
/// Signs raw RFC 5322 messages (RFC 6376 §5, RFC 8463). The output is the input, byte for byte, with the
/// DKIM-Signature field(s) in front. Thread-safe; build once per key set and reuse.
/// </summary>
/// <remarks>
/// Security: From, Subject, To and Date are over-signed so none can be added after signing; l= is never
/// written (it lets anyone append content); rsa-sha1 is never produced (RFC 8301); a message with an ambiguous
/// header line (<see cref="MailMessage.Ambiguities"/>) is refused.
/// </remarks>
public sealed class DkimSigner
{
    private readonly DkimSignerOptions _options;
    private readonly TimeProvider _time;
    private readonly SigningKeyTags[] _keys;
    private readonly byte[] _canonicalizationTag;
    private readonly byte[]? _identityTag;
    private readonly DkimHeaderShapes _shapes;
    private readonly int _signatureBase64Length;

    /// <summary>A signer for one key and domain; parses nothing per message beyond the message itself.</summary>
    /// <param name="options">Key, domain, selector, headers and canonicalization; validated here.</param>
    /// <param name="timeProvider">Clock for t= and x=; the system's by default.</param>
    public DkimSigner(DkimSignerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _keys = [.. options.Keys.Select(k => new SigningKeyTags(k))];
        _canonicalizationTag = Ascii($"c={Name(options.HeaderCanonicalization)}/{Name(options.BodyCanonicalization)}");
        _identityTag = options.Identity is { } i ? Ascii("i=" + i) : null;
        _shapes = new DkimHeaderShapes(options.Headers, options.OverSigned);
        _signatureBase64Length = Base64.GetMaxEncodedToUtf8Length(options.Keys.Max(k => (k.Key.KeySize + 7) / 8 + 64));
    }

    /// <summary>A key and its fixed tags, as the bytes written into every signature.</summary>
    private sealed class SigningKeyTags(DkimSigningKey key)
    {
        public DkimPrivateKey Key { get; } = key.Key;

        public byte[] AlgorithmTag { get; } = Ascii("a=" + DkimSignature.AlgorithmToken(
            key.Key.KeyType == DkimKeyType.Rsa ? DkimAlgorithm.RsaSha256 : DkimAlgorithm.Ed25519Sha256));

        public byte[] DomainTag { get; } = Ascii("d=" + key.Domain);

        public byte[] SelectorTag { get; } = Ascii("s=" + key.Selector);
    }

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    /// <summary>Signatures each message gets (one per key).</summary>
    public int KeyCount => _options.Keys.Count;

    /// <summary>Signs one message; returns the new message (signature fields first, then the input unchanged).</summary>
    /// <exception cref="DkimSignException">The message has no From, several, or several addresses in one.</exception>
    public byte[] Sign(ReadOnlyMemory<byte> message) => Sign(Parse(message));

    /// <summary>Signs a message already parsed (its From looked at first, e.g. to choose the key).</summary>
    public byte[] Sign(MailMessage parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var fields = RentBuffer();
        try
        {
            WriteFields(parsed, BodyHash(parsed), fields, null);
            var result = new byte[fields.WrittenCount + parsed.Raw.Length];
            fields.WrittenSpan.CopyTo(result);
            parsed.Raw.Span.CopyTo(result.AsSpan(fields.WrittenCount));
            return result;
        }
        finally
        {
            ReturnBuffer(fields);
        }
    }

    /// <summary>Only the DKIM-Signature field(s) to prepend, with their line ends (for streams and milters).</summary>
    public byte[] SignatureFields(ReadOnlyMemory<byte> message)
    {
        var parsed = Parse(message);
        return SignatureFields(parsed, BodyHash(parsed));
    }

    private static MailMessage Parse(ReadOnlyMemory<byte> message)
    {
        try
        {
            return MailMessage.Parse(message);
        }
        catch (MessageFormatException e)
        {
            throw new DkimSignException(DkimSignRefusal.UnreadableMessage, $"cannot read the message: {e.Message}");
        }
    }

    private byte[] BodyHash(MailMessage parsed)
    {
        CheckFrom(parsed);
        using var body = new DkimBodyHasher(_options.BodyCanonicalization, HashAlgorithmName.SHA256);
        body.Append(parsed.Body.Span);
        return body.Complete();
    }

    /// <summary>Signs when the body hash is already known (streamed elsewhere, e.g. by a milter).</summary>
    internal byte[] SignatureFields(MailMessage parsed, byte[] bodyHash)
    {
        var fields = RentBuffer();
        try
        {
            WriteFields(parsed, bodyHash, fields, null);
            return fields.WrittenSpan.ToArray();
        }
        finally
        {
            ReturnBuffer(fields);
        }
    }

    /// <summary>One DKIM-Signature field per key, each with its final line break.</summary>
    internal List<string> SignatureFieldList(MailMessage parsed, byte[] bodyHash)
    {
        var fields = RentBuffer();
        try
        {
            var ends = new List<int>(_keys.Length);
            WriteFields(parsed, bodyHash, fields, ends);
            var list = new List<string>(ends.Count);
            var start = 0;
            foreach (var end in ends)
            {
                list.Add(Encoding.ASCII.GetString(fields.WrittenSpan[start..end]));
                start = end;
            }
            return list;
        }
        finally
        {
            ReturnBuffer(fields);
        }
    }

    // The fields are written as ASCII straight into a per-thread buffer: on a 2 KB message the strings, lists and
    // copies this used to build cost as much as hashing the body, and signing is the platform's hot path.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_fields;

    private static ArrayBufferWriter<byte> RentBuffer()
    {
        var buffer = t_fields ?? new ArrayBufferWriter<byte>(2048);
        t_fields = null;
        return buffer;
    }

    private static void ReturnBuffer(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity <= 64 * 1024)
        {
            buffer.ResetWrittenCount();
            t_fields = buffer;
        }
    }

    private void WriteFields(MailMessage parsed, byte[] bodyHash, ArrayBufferWriter<byte> output, List<int>? ends)
    {
        var newline = parsed.UsesBareLf ? "\n"u8 : "\r\n"u8;
        var shape = _shapes.Of(parsed);
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        Span<byte> bh = stackalloc byte[3 + Base64.GetMaxEncodedToUtf8Length(bodyHash.Length)];
        "bh="u8.CopyTo(bh);
        Base64.EncodeToUtf8(bodyHash, bh[3..], out _, out var bhLength);
        bh = bh[..(3 + bhLength)];
        Span<byte> number = stackalloc byte[24];
        Span<byte> b = _signatureBase64Length <= 1024 ? stackalloc byte[1024] : new byte[_signatureBase64Length];
        foreach (var key in _keys)
        {
            var start = output.WrittenCount;
            var f = new DkimFieldWriter(output, newline);
            f.Raw("DKIM-Signature: "u8);
            f.Tag("v=1"u8, first: true);
            f.Tag(key.AlgorithmTag);
            f.Tag(_canonicalizationTag);
            f.Tag(key.DomainTag);
            f.Tag(key.SelectorTag);
            f.Tag(NumberTag(number, "t="u8, timestamp));
            if (_options.Expiration is { } x)
            {
                f.Tag(NumberTag(number, "x="u8, timestamp + (long)x.TotalSeconds));
            }
            if (_identityTag is not null)
            {
                f.Tag(_identityTag);
            }
            f.HeaderList(shape);
            f.Tag(bh);
            f.Raw(";"u8);
            f.NewLine();
            f.Raw("b="u8);
            var digest = DkimHeaderHasher.Digest(parsed, shape.Names, _options.HeaderCanonicalization,
                output.WrittenSpan[start..], HashAlgorithmName.SHA256);
            var signature = key.Key.SignDigest(digest);
            Base64.EncodeToUtf8(signature, b, out _, out var bLength);
            f.Folded(b[..bLength]);
            f.Raw(newline);
            ends?.Add(output.WrittenCount);
        }
    }

    private static ReadOnlySpan<byte> NumberTag(Span<byte> buffer, ReadOnlySpan<byte> name, long value)
    {
        name.CopyTo(buffer);
        value.TryFormat(buffer[name.Length..], out var n, provider: CultureInfo.InvariantCulture);
        return buffer[..(name.Length + n)];
    }

    /// <summary>
    /// Starts signing a message that arrives in pieces (an MTA's milter, a pipe): the header section is given at
    /// the end, the body is fed as it comes and hashed at once, never held. Same canonicalization and signature
    /// as <see cref="Sign(ReadOnlyMemory{byte})"/>, whatever the chunk boundaries.
    /// </summary>
    public DkimStreamingSignature BeginStreaming() =>
        new(this, new DkimBodyHasher(_options.BodyCanonicalization, HashAlgorithmName.SHA256));

    /// <summary>The domain of the one address in the one From field (lower case); what d= must align with.</summary>
    /// <exception cref="DkimSignException">No From, several, or several addresses in it.</exception>
    public static string FromDomain(MailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return CheckFrom(message).ToLowerInvariant().TrimEnd('.');
    }

    private static string CheckFrom(MailMessage message)
    {
        // The one ambiguity rule: any such line, whichever field it touches. A signature is a promise about what the
        // reader sees; with a line that readers read differently there is no one thing to promise.
        if (message.Ambiguities.Count > 0)
        {
            var a = message.Ambiguities[0];
            throw new DkimSignException(DkimSignRefusal.AmbiguousHeader,
                $"ambiguous header: {a.Describe()}; mail clients could show a different message than the one signed, so it is not signed", a);
        }
        var from = message.All("From").ToList();
        if (from.Count != 1)
        {
            throw new DkimSignException(from.Count == 0 ? DkimSignRefusal.NoFrom : DkimSignRefusal.MultipleFrom, from.Count == 0
                ? "the message has no From header; DKIM requires it to be signed (RFC 6376 §5.4)"
                : $"the message has {from.Count} From headers; receivers could show either, so it is not signed");
        }
        var mailboxes = MailboxList.Parse(from[0].Value, out var error);
        if (mailboxes is null || mailboxes.Count != 1)
        {
            throw new DkimSignException(mailboxes is null or [] ? DkimSignRefusal.UnreadableFrom : DkimSignRefusal.MultipleAuthorAddresses, mailboxes is null
                ? $"the From header cannot be read: {error}"
                : $"the From header holds {mailboxes.Count} addresses; exactly one is required to sign (DMARC, RFC 9989)");
        }
        return mailboxes[0].Domain;
    }

    private static string Name(DkimCanonicalization c) => c == DkimCanonicalization.Simple ? "simple" : "relaxed";
}
