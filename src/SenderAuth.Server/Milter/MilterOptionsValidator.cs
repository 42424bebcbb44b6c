namespace SenderAuth.Server.Milter;

/// <summary>The milter's settings, checked at start.</summary>
public sealed class MilterOptionsValidator : SectionValidator
{
    protected override IEnumerable<string> Problems(ServerOptions options) => options.Milter.Problems();
}
