using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Domains;

/// <summary>Who may register which sender domain (<c>SenderAuth:Domains</c>).</summary>
public sealed class DomainOptions
{
    /// <summary>
    /// The Public Suffix List the server refuses suffixes from (co.uk, github.io, …). Empty (the default): Debian's
    /// copy (<c>/usr/share/publicsuffix/public_suffix_list.dat</c>, package publicsuffix) where installed, else the
    /// copy built into SenderAuth. A path given must exist at start.
    /// </summary>
    public string PublicSuffixList { get; set; } = "";

    internal IEnumerable<string> Problems()
    {
        if (!string.IsNullOrWhiteSpace(PublicSuffixList) && !File.Exists(PublicSuffixList))
        {
            yield return $"SenderAuth:Domains:PublicSuffixList: \"{PublicSuffixList}\" does not exist; install it (apt-get install publicsuffix) "
                + "or point the setting at a copy of public_suffix_list.dat: without it anyone could register co.uk";
        }
    }
}

/// <summary>The domain settings, checked at start.</summary>
public sealed class DomainOptionsValidator : IValidateOptions<DomainOptions>
{
    public ValidateOptionsResult Validate(string? name, DomainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SectionProblems.Result(options.Problems());
    }
}
