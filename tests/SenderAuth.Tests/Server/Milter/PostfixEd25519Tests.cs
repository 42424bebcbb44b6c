using SenderAuth.Tests.Interop;

namespace SenderAuth.Tests.Server.Milter;

/// <summary>
/// A domain that signs with Ed25519 beside RSA (RFC 8463), through a real Postfix with our server as its milter: each
/// message leaves with both signatures, RSA first, and dkimpy verifies each of them with the keys DNS serves.
/// </summary>
[Trait("Layer", "server")]
[Trait("Needs", "senderauth")]
[Trait("Needs", "knot")]
[Trait("Needs", "peers")]
[Trait("Needs", "postfix")]
[Collection(ProviderZoneCollection.Name)]
public sealed class PostfixEd25519Tests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Postfix_DualSignedDomain_BothSignaturesVerifiedByDkimpy()
    {
        await using var world = await PostfixWorld.StartAsync(Ct);
        var code = $"pfed{Guid.NewGuid().ToString("N")[..8]}";
        var domain = await world.OnboardAsync(code, enableSigning: true);
        var edSelector = await world.EnableEd25519Async(code, domain);
        var ids = new[] { Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N") };
        foreach (var id in ids)
        {
            var (exit, transcript) = await PostfixWorld.SwaksAsync(world.Smtp, $"tickets@{domain}", id);
            Assert.True(exit == 0, $"swaks exited {exit}:\n{transcript}\n{world.Server.LogTail(20)}");
        }
        var delivered = await world.DeliveredAsync(ids, 30);
        Assert.Equal(ids.Length, delivered.Count);
        var messages = ids.Select(i => delivered[i]).ToList();
        Assert.All(messages, m => Assert.Equal([(domain, "stxsel1"), (domain, edSelector)], PostfixWorld.Signatures(m)));
        // dkimpy's driver verifies a file's first signature: each message as delivered (RSA), and without its first
        // field (Ed25519 first then; h= never lists DKIM-Signature, so nothing else changes).
        var (json, keyFile, files) = world.PeerFiles([.. messages, .. messages.Select(WithoutFirstField)]);
        var dkimpy = PeerTool.Get("dkimpy");
        await dkimpy.RequireAsync("ed25519-sha256");
        var answers = await dkimpy.VerifyAsync(json, keyFile, files);
        Assert.All(answers, a => Assert.True(a.Result == "pass", $"dkimpy: {a.Result} {a.Reason}"));
    }

    /// <summary>The message without its first DKIM-Signature field (with its folded lines), wherever it stands.</summary>
    private static byte[] WithoutFirstField(byte[] message)
    {
        var start = 0;
        while (!System.Text.Encoding.ASCII.GetString(message, start, Math.Min(15, message.Length - start)).Equals("DKIM-Signature:", StringComparison.OrdinalIgnoreCase))
        {
            start = Array.IndexOf(message, (byte)'\n', start) + 1;
            Assert.True(start > 0 && message[start] != (byte)'\r', "no DKIM-Signature field in the header");
        }
        var end = start;
        do
        {
            end = Array.IndexOf(message, (byte)'\n', end) + 1;
        }
        while (message[end] is (byte)' ' or (byte)'\t');
        return [.. message[..start], .. message[end..]];
    }
}
