namespace SenderAuth.Server.Access;

/// <summary>Proxies and client limits, checked at start.</summary>
public sealed class ClientOptionsValidator : SectionValidator
{
    protected override IEnumerable<string> Problems(ServerOptions options) => options.Proxies.Problems().Concat(options.ClientLimits.Problems());
}
