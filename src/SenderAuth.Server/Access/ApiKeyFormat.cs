using System.Security.Cryptography;
using System.Text;

namespace SenderAuth.Server.Access;

/// <summary>
/// API keys are 32 random bytes, written "sa_" + base64url. Only their SHA-256 is stored: with that much
/// entropy a slow password hash buys nothing, and a fast one keeps authentication off the signing hot path.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "sa_";

    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>What lists show of a key: enough to recognise it, too little to use it.</summary>
    public static string Visible(string key) => key.Length <= 10 ? key[..Math.Min(3, key.Length)] : key[..10];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
