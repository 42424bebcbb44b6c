using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SenderAuth.Mail;

namespace SenderAuth.Dkim;

/// <summary>A message the signer refuses (no From, several From fields or addresses, unreadable headers).</summary>
public sealed class DkimSignException(string message) : Exception(message);

/// <summary>
/// Signs raw RFC 5322 messages (RFC 6376 §5, RFC 8463). The output is the input, byte for byte, with the
/// DKIM-Signature field(s) in front. Thread-safe; build once per key set and reuse.
/// </summary>
/// <remarks>
/// Security: From, Subject, To and Date are over-signed so none can be added after signing; l= is never
/// written (it lets anyone append content); rsa-sha1 is never produced (RFC 8301).
/// </remarks>
public sealed class DkimSigner
{
    private readonly DkimSignerOptions _options;
    private readonly TimeProvider _time;
    private readonly string _canonicalization;

    public DkimSigner(DkimSignerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _canonicalization = $"{Name(options.HeaderCanonicalization)}/{Name(options.BodyCanonicalization)}";
    }

    /// <summary>Signatures each message gets (one per key).</summary>
    public int KeyCount => _options.Keys.Count;

    /// <summary>Signs one message; returns the new message (signature fields first, then the input unchanged).</summary>
    /// <exception cref="DkimSignException">The message has no From, several, or several addresses in one.</exception>
    public byte[] Sign(ReadOnlyMemory<byte> message)
    {
        var headers = SignatureFields(message);
        var result = new byte[headers.Length + message.Length];
        headers.CopyTo(result, 0);
        message.Span.CopyTo(result.AsSpan(headers.Length));
        return result;
    }

    /// <summary>Signs a message already parsed (its From looked at first, e.g. to choose the key).</summary>
    public byte[] Sign(MailMessage parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var headers = SignatureFields(parsed);
        var result = new byte[headers.Length + parsed.Raw.Length];
        headers.CopyTo(result, 0);
        parsed.Raw.Span.CopyTo(result.AsSpan(headers.Length));
        return result;
    }

    /// <summary>Only the DKIM-Signature field(s) to prepend, with their line ends (for streams and milters).</summary>
    public byte[] SignatureFields(ReadOnlyMemory<byte> message)
    {
        MailMessage parsed;
        try
        {
            parsed = MailMessage.Parse(message);
        }
        catch (MessageFormatException e)
        {
            throw new DkimSignException($"cannot read the message: {e.Message}");
        }
        return SignatureFields(parsed);
    }

    private byte[] SignatureFields(MailMessage parsed)
    {
        CheckFrom(parsed);
        using var body = new DkimBodyHasher(_options.BodyCanonicalization, HashAlgorithmName.SHA256);
        body.Append(parsed.Body.Span);
        return SignatureFields(parsed, body.Complete());
    }

    /// <summary>Signs when the body hash is already known (streamed elsewhere, e.g. by a milter).</summary>
    internal byte[] SignatureFields(MailMessage parsed, byte[] bodyHash) =>
        Encoding.ASCII.GetBytes(string.Concat(SignatureFieldList(parsed, bodyHash)));

    /// <summary>One DKIM-Signature field per key, each with its final line break.</summary>
    internal List<string> SignatureFieldList(MailMessage parsed, byte[] bodyHash)
    {
        var newline = parsed.UsesBareLf ? "\n" : "\r\n";
        var signedHeaders = HeaderList(parsed);
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var fields = new List<string>(_options.Keys.Count);
        foreach (var key in _options.Keys)
        {
            var unsigned = Unsigned(key, signedHeaders, timestamp, Convert.ToBase64String(bodyHash), newline);
            var bytes = Encoding.ASCII.GetBytes(unsigned);
            var digest = DkimHeaderHasher.Digest(parsed, signedHeaders, _options.HeaderCanonicalization, bytes, HashAlgorithmName.SHA256);
            var signature = Convert.ToBase64String(key.Key.SignDigest(digest));
            var output = new StringBuilder(unsigned, unsigned.Length + signature.Length + 16);
            AppendFolded(output, signature, unsigned.Length - unsigned.LastIndexOf('\n') - 1, newline);
            output.Append(newline);
            fields.Add(output.ToString());
        }
        return fields;
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
        var from = message.All("From").ToList();
        if (from.Count != 1)
        {
            throw new DkimSignException(from.Count == 0
                ? "the message has no From header; DKIM requires it to be signed (RFC 6376 §5.4)"
                : $"the message has {from.Count} From headers; receivers could show either, so it is not signed");
        }
        var mailboxes = MailboxList.Parse(from[0].Value, out var error);
        if (mailboxes is null || mailboxes.Count != 1)
        {
            throw new DkimSignException(mailboxes is null
                ? $"the From header cannot be read: {error}"
                : $"the From header holds {mailboxes.Count} addresses; exactly one is required to sign (DMARC, RFC 9989)");
        }
        return mailboxes[0].Domain;
    }

    /// <summary>Every present instance of each configured header, plus one more of each over-signed name.</summary>
    private List<string> HeaderList(MailMessage message)
    {
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in message.Headers)
        {
            if (h.HasColon)
            {
                counts[h.Name] = counts.GetValueOrDefault(h.Name) + 1;
            }
        }
        var list = new List<string>(_options.Headers.Count + _options.OverSigned.Count);
        foreach (var name in _options.Headers)
        {
            var over = _options.OverSigned.Contains(name, StringComparer.OrdinalIgnoreCase) ? 1 : 0;
            for (var i = counts.GetValueOrDefault(name) + over; i > 0; i--)
            {
                list.Add(name);
            }
        }
        return list;
    }

    /// <summary>The field up to and including "b=", folded at 78 columns.</summary>
    private string Unsigned(DkimSigningKey key, List<string> headers, long timestamp, string bodyHash, string newline)
    {
        var tags = new List<string>
        {
            "v=1",
            "a=" + DkimSignature.AlgorithmToken(key.Key.KeyType == DkimKeyType.Rsa ? DkimAlgorithm.RsaSha256 : DkimAlgorithm.Ed25519Sha256),
            "c=" + _canonicalization,
            "d=" + key.Domain,
            "s=" + key.Selector,
            "t=" + timestamp.ToString(CultureInfo.InvariantCulture),
        };
        if (_options.Expiration is { } x)
        {
            tags.Add("x=" + (timestamp + (long)x.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        }
        if (_options.Identity is { } i)
        {
            tags.Add("i=" + i);
        }
        tags.Add("h=" + string.Join(':', headers));
        tags.Add("bh=" + bodyHash);
        var sb = new StringBuilder("DKIM-Signature: ");
        var column = sb.Length;
        for (var n = 0; n < tags.Count; n++)
        {
            var tag = tags[n];
            if (n > 0)
            {
                sb.Append(';');
                column++;
                if (column + tag.Length + 1 > 78)
                {
                    sb.Append(newline).Append('\t');
                    column = 1;
                }
                else
                {
                    sb.Append(' ');
                    column++;
                }
            }
            if (tag.StartsWith("h=", StringComparison.Ordinal) && column + tag.Length > 78)
            {
                column = AppendHeaderList(sb, tag, column, newline);
            }
            else
            {
                sb.Append(tag);
                column += tag.Length;
            }
        }
        sb.Append(';');
        sb.Append(newline).Append("\tb=");
        return sb.ToString();
    }

    private static int AppendHeaderList(StringBuilder sb, string tag, int column, string newline)
    {
        var names = tag[2..].Split(':');
        sb.Append("h=");
        column += 2;
        for (var n = 0; n < names.Length; n++)
        {
            var piece = names[n] + (n < names.Length - 1 ? ":" : string.Empty);
            if (column + piece.Length > 78)
            {
                sb.Append(newline).Append('\t');
                column = 1;
            }
            sb.Append(piece);
            column += piece.Length;
        }
        return column;
    }

    private static void AppendFolded(StringBuilder sb, string base64, int column, string newline)
    {
        var i = 0;
        while (i < base64.Length)
        {
            var room = Math.Max(1, 78 - column);
            var n = Math.Min(room, base64.Length - i);
            sb.Append(base64, i, n);
            i += n;
            if (i < base64.Length)
            {
                sb.Append(newline).Append('\t');
                column = 1;
            }
        }
    }

    private static string Name(DkimCanonicalization c) => c == DkimCanonicalization.Simple ? "simple" : "relaxed";
}
