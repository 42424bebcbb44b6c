using SenderAuth.Server.Hosting;
using SenderAuth.Server.Signing;

namespace SenderAuth.Tests.Server.Signing;

/// <summary>
/// Signing:CacheSeconds through the server's start-up check (<see cref="OptionsCheck"/>, as <c>serve</c> runs it): the
/// range the signing cache honours, 0 (off) to an hour, and a clear sentence naming the setting for anything else.
/// </summary>
[Trait("Layer", "server")]
public sealed class SigningOptionsTests
{
    // The signing section's problems among all (a bare ServerOptions lacks the provider's selectors, which the host's
    // PostConfigure fills in; that is not what these tests are about).
    private static IReadOnlyList<string> Problems(double cacheSeconds) =>
        [.. (OptionsCheck.Validate(new ServerOptions { Signing = new SigningOptions { CacheSeconds = cacheSeconds } }).Failures ?? [])
            .Where(f => f.StartsWith("SenderAuth:Signing", StringComparison.Ordinal))];

    [Theory]
    [InlineData(0d)]
    [InlineData(5d)]
    [InlineData(0.5d)]
    [InlineData(3600d)]
    public void CacheSeconds_WithinRange_IsAccepted(double seconds) => Assert.Empty(Problems(seconds));

    [Theory]
    [InlineData(-1d, "-1")]
    [InlineData(3600.5d, "3600.5")]
    [InlineData(1e12d, "1000000000000")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void CacheSeconds_OutOfRange_IsRefusedWithTheSetting(double seconds, string shown)
    {
        var problem = Assert.Single(Problems(seconds));
        Assert.Equal($"SenderAuth:Signing:CacheSeconds must be between 0 and 3600 (it is {shown}): 0 turns the cache off; "
            + "beyond an hour other instances would sign with a revoked key or a suspended domain's for that long", problem);
    }
}
