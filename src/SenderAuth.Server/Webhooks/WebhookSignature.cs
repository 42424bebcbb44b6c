using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SenderAuth.Server.Webhooks;

/// <summary>
/// The <c>SenderAuth-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;body&gt;")&gt;</c>
/// (the Stripe scheme). The key is the secret string's UTF-8 bytes, exactly as shown at creation. The timestamp is
/// signed with the body so a receiver can refuse old deliveries: a captured request replayed later carries a
/// timestamp outside the receiver's window, and changing it breaks the signature. "v1" names the scheme, so a
/// later one can be sent alongside without breaking receivers.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: 256 random bits, URL-safe base64, with a prefix that makes it recognisable in leaks.</summary>
    public static string NewSecret() =>
        SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Header(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var signed = new byte[t.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(t, signed);
        signed[t.Length] = (byte)'.';
        body.CopyTo(signed.AsSpan(t.Length + 1));
        return $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }
}
