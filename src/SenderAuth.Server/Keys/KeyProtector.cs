using System.Security.Cryptography;
using System.Text;

namespace SenderAuth.Server.Keys;

/// <summary>
/// Seals private keys at rest with AES-256-GCM under the master key from configuration. The sealed form binds the
/// key to the row it belongs to (associated data: the key's target name), so a sealed key copied into another row
/// does not open. Layout: version (1) | master-key id (4) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class KeyProtector : IDisposable
{
    private const byte FormatVersion = 1;
    private const int HeaderLength = 1 + 4 + 12 + 16;
    private readonly AesGcm _aes;
    // AesGcm is not safe for concurrent use, and this one instance serves every request and the webhook sender:
    // calls in parallel fail the tag check at random. Sealing and opening are microseconds, so one lock is enough.
    private readonly Lock _lock = new();
    private readonly byte[] _keyId;

    public KeyProtector(ReadOnlySpan<byte> masterKey)
    {
        if (masterKey.Length != 32)
        {
            throw new ArgumentException("the master key must be 32 bytes", nameof(masterKey));
        }
        _aes = new AesGcm(masterKey, 16);
        // Identifies which master key sealed a value, without revealing it: a wrong key is then named as such
        // instead of surfacing as "authentication tag mismatch".
        _keyId = SHA256.HashData([.. "senderauth-master-key-id"u8, .. masterKey])[..4];
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext, string boundTo)
    {
        var sealedKey = new byte[HeaderLength + plaintext.Length];
        sealedKey[0] = FormatVersion;
        _keyId.CopyTo(sealedKey, 1);
        var nonce = sealedKey.AsSpan(5, 12);
        RandomNumberGenerator.Fill(nonce);
        lock (_lock)
        {
            _aes.Encrypt(nonce, plaintext, sealedKey.AsSpan(HeaderLength), sealedKey.AsSpan(17, 16), Encoding.UTF8.GetBytes(boundTo));
        }
        return sealedKey;
    }

    /// <exception cref="CryptographicException">Sealed by another master key, for another row, or altered.</exception>
    public byte[] Open(ReadOnlySpan<byte> sealedKey, string boundTo)
    {
        if (sealedKey.Length < HeaderLength || sealedKey[0] != FormatVersion)
        {
            throw new CryptographicException("the sealed key has an unknown format");
        }
        if (!sealedKey.Slice(1, 4).SequenceEqual(_keyId))
        {
            throw new CryptographicException("the key was sealed with another master key: SenderAuth:MasterKey does not match the one this database was created with");
        }
        var plaintext = new byte[sealedKey.Length - HeaderLength];
        lock (_lock)
        {
            _aes.Decrypt(sealedKey.Slice(5, 12), sealedKey[HeaderLength..], sealedKey.Slice(17, 16), plaintext, Encoding.UTF8.GetBytes(boundTo));
        }
        return plaintext;
    }

    public void Dispose() => _aes.Dispose();
}
