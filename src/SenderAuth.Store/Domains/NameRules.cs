using System.Globalization;
using System.Text.RegularExpressions;

namespace SenderAuth.Store.Domains;

/// <summary>
/// Validates what people type: sender domains (Unicode or A-labels, one trailing dot tolerated, stored as
/// lower-case A-labels) and institution codes. Errors say which rule failed, because "invalid domain" does not
/// help someone who pasted "mosamuseum.com." or "mosamuseum..com".
/// </summary>
public static partial class NameRules
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    public static bool TryDomain(string? input, out string domain, out string error)
    {
        domain = "";
        var text = (input ?? "").Trim();
        if (text.Length == 0)
        {
            error = "the domain is empty";
            return false;
        }
        if (text.EndsWith('.'))
        {
            text = text[..^1];
        }
        if (text.Contains(' ', StringComparison.Ordinal) || text.Contains('@', StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal))
        {
            error = $"\"{input}\" is not a domain name (it holds a space, @ or /: give the bare domain, e.g. mosamuseum.com)";
            return false;
        }
        var labels = text.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i].Length == 0)
            {
                error = $"\"{input}\" has an empty label at position {i + 1} (two dots in a row, or a leading dot)";
                return false;
            }
        }
        if (labels.Length < 2)
        {
            error = $"\"{input}\" is a single label: a sender domain has at least two (e.g. mosamuseum.com)";
            return false;
        }
        string ascii;
        try
        {
            // Lower-case first: IdnMapping leaves upper-case non-ASCII letters alone, and "MÜSEUM" and "müseum"
            // must be one domain (UTS #46 maps case).
            ascii = Idn.GetAscii(text.ToLowerInvariant());
        }
        catch (ArgumentException e)
        {
            error = $"\"{input}\" is not a valid internationalised domain name: {e.Message}";
            return false;
        }
        foreach (var label in ascii.Split('.'))
        {
            if (label.Length > 63)
            {
                error = $"label \"{label}\" is {label.Length} characters long; DNS allows 63";
                return false;
            }
        }
        if (ascii.Length > 253)
        {
            error = $"the domain is {ascii.Length} characters long; DNS allows 253";
            return false;
        }
        if (ascii.Split('.')[^1].All(char.IsAsciiDigit))
        {
            error = $"\"{input}\" ends in a numeric label: that is an IP address, not a domain";
            return false;
        }
        domain = ascii;
        error = "";
        return true;
    }

    /// <summary>Institution codes go into DNS labels (sel1-{code}) and mailboxes ({code}@rua…): 2–32 of a-z, 0-9, '-'.</summary>
    public static bool TryCode(string? input, out string code, out string error)
    {
        code = (input ?? "").Trim();
        if (!CodePattern().IsMatch(code))
        {
            error = $"\"{input}\" is not an institution code: use 2 to 32 lower-case letters, digits or '-', starting with a letter (e.g. mosa)";
            return false;
        }
        error = "";
        return true;
    }

    /// <summary>The Unicode form for display.</summary>
    public static string Unicode(string asciiDomain) => Idn.GetUnicode(asciiDomain);

    [GeneratedRegex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();
}
