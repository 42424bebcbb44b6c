using SenderAuth.Mail;

namespace SenderAuth.Dkim;

/// <summary>
/// One message being signed as it streams (from <see cref="DkimSigner.BeginStreaming"/>): body chunks in, then the
/// header section, then the DKIM-Signature field(s). Not thread-safe: one per message.
/// </summary>
public sealed class DkimStreamingSignature : IDisposable
{
    private readonly DkimSigner _signer;
    private readonly DkimBodyHasher _body;

    internal DkimStreamingSignature(DkimSigner signer, DkimBodyHasher body)
    {
        _signer = signer;
        _body = body;
    }

    /// <summary>Body bytes received so far, canonicalized (what the hash has seen).</summary>
    public long CanonicalBodyLength => _body.CanonicalLength;

    /// <summary>The next piece of the body, any size, any boundary (CRLF split across chunks included).</summary>
    public void AppendBody(ReadOnlySpan<byte> chunk) => _body.Append(chunk);

    /// <summary>
    /// Ends the body and signs: <paramref name="headers"/> is the message's header section (a message without
    /// body is fine). Returns one field per key (<c>DKIM-Signature: …</c> with its line breaks), in key order.
    /// </summary>
    /// <exception cref="DkimSignException">The header section has no From, several, or several addresses in it.</exception>
    public IReadOnlyList<string> Complete(MailMessage headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        DkimSigner.FromDomain(headers);
        return _signer.SignatureFieldList(headers, _body.Complete());
    }

    /// <summary>Releases the body hash state; call it when the message is abandoned before <see cref="Complete"/>.</summary>
    public void Dispose() => _body.Dispose();
}
