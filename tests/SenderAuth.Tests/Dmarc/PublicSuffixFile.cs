namespace SenderAuth.Tests.Dmarc;

/// <summary>
/// Debian's copy of the Public Suffix List (package publicsuffix): the one way tests read it, so the running class
/// must declare <c>[Trait("Needs", "publicsuffix")]</c> (<see cref="TestNeeds"/>) or fail; skipped, with the reason,
/// where it is not installed.
/// </summary>
internal static class PublicSuffixFile
{
    private const string Debian = "/usr/share/publicsuffix/public_suffix_list.dat";

    public static string Require()
    {
        TestNeeds.Require("publicsuffix");
        if (!File.Exists(Debian))
        {
            Assert.Skip($"{Debian} not installed (Debian package publicsuffix): run ./run-tests, which installs it");
        }
        return Debian;
    }
}
