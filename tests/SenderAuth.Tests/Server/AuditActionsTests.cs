using System.Reflection;
using System.Text.RegularExpressions;
using SenderAuth.Store.Data;
using SenderAuth.Tests.Interop;

namespace SenderAuth.Tests.Server;

/// <summary>
/// The audit action words are data operators filter on (<c>kind=</c>): docs/server.md's audit section names every
/// one of <see cref="AuditActions"/>, and no word twice under two constants.
/// </summary>
[Trait("Layer", "server")]
public sealed partial class AuditActionsTests
{
    private static readonly string[] Words = [.. typeof(AuditActions).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];

    [Fact]
    public void Every_action_is_listed_in_the_audit_section_of_server_md()
    {
        var doc = File.ReadAllText(Path.Combine(PeerTool.RepoRoot, "docs", "server.md"));
        var section = doc[doc.IndexOf("\n## Audit\n", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        var listed = Backticked().Matches(section).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        Assert.True(Words.Length >= 40, $"only {Words.Length} constants found");
        var missing = Words.Except(listed, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "not in docs/server.md's audit section: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_word_is_defined_once_and_dotted()
    {
        Assert.Equal(Words.Length, Words.Distinct(StringComparer.Ordinal).Count());
        Assert.All(Words, w => Assert.Matches("^[a-z]+\\.[a-z-]+$", w));
    }

    [GeneratedRegex("`([a-z]+\\.[a-z-]+)`")]
    private static partial Regex Backticked();
}
