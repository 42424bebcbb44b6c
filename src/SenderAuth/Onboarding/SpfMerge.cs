namespace SenderAuth.Onboarding;

/// <summary>
/// Text operations on SPF records for merging: a domain has exactly one SPF record (RFC 7208 §3.2), so what we
/// need is added to the one it has, never published beside it.
/// </summary>
public static class SpfMerge
{
    /// <summary>The record with include:host added before the all/redirect term (never a second record).</summary>
    public static string MergeInclude(string record, string include)
    {
        ArgumentNullException.ThrowIfNull(record);
        var terms = record.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (terms.Any(t => t.Equals("include:" + include, StringComparison.OrdinalIgnoreCase)))
        {
            return string.Join(' ', terms);
        }
        var at = terms.FindIndex(t => t.TrimStart('+', '-', '~', '?').Equals("all", StringComparison.OrdinalIgnoreCase) || t.StartsWith("redirect=", StringComparison.OrdinalIgnoreCase));
        terms.Insert(at < 0 ? terms.Count : at, "include:" + include);
        if (at < 0 && !terms.Any(t => t.StartsWith("redirect=", StringComparison.OrdinalIgnoreCase)))
        {
            terms.Add("~all");
        }
        return string.Join(' ', terms);
    }

    /// <summary>Two SPF records as one: the terms of <paramref name="b"/> not already in <paramref name="a"/>, before a's all.</summary>
    public static string MergeRecords(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var terms = a.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var all = terms.FindIndex(t => t.TrimStart('+', '-', '~', '?').Equals("all", StringComparison.OrdinalIgnoreCase));
        foreach (var t in b.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            if (t.TrimStart('+', '-', '~', '?').Equals("all", StringComparison.OrdinalIgnoreCase) || terms.Contains(t, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }
            terms.Insert(all < 0 ? terms.Count : all++, t);
        }
        return string.Join(' ', terms);
    }
}
