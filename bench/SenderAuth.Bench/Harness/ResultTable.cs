using System.Globalization;
using System.Text;

namespace SenderAuth.Bench.Harness;

/// <summary>The printed table: what | ours | peer | ratio | target met?, figures rounded to whole units.</summary>
public static class ResultTable
{
    public static string Format(IEnumerable<TableLine> lines)
    {
        string[] head = ["what", "ours (/s)", "peer (/s)", "ratio", "target met?"];
        var rows = lines.Select(l =>
        {
            var ours = Math.Round(l.Ours);
            var peer = l.Peer is { } p ? Math.Round(p) : (double?)null;
            return new[]
            {
                l.What,
                ours.ToString("N0", CultureInfo.InvariantCulture),
                peer?.ToString("N0", CultureInfo.InvariantCulture) ?? "n/a",
                peer is > 0 ? (ours / peer.Value).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "n/a",
                Target(ours, peer ?? 0, l.Target),
            };
        }).ToList();
        var widths = Enumerable.Range(0, head.Length).Select(i => rows.Append(head).Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        string Line(string[] r) =>
            "| " + string.Join(" | ", r.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |";
        text.AppendLine(Line(head));
        text.AppendLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var r in rows)
        {
            text.AppendLine(Line(r));
        }
        return text.ToString();
    }

    private static string Target(double ours, double peer, string? target)
    {
        if (string.IsNullOrEmpty(target))
        {
            return "-";
        }
        if (target.StartsWith("<=", StringComparison.Ordinal))
        {
            return $"{(ours <= double.Parse(target[2..]) ? "yes" : "NO")} ({target})";
        }
        if (target.StartsWith(">=", StringComparison.Ordinal))
        {
            return $"{(ours >= double.Parse(target[2..]) ? "yes" : "NO")} ({target})";
        }
        return $"{(peer > 0 && ours / peer >= double.Parse(target) ? "yes" : "NO")} (>= {target}x)";
    }
}
