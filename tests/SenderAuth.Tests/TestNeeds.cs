namespace SenderAuth.Tests;

/// <summary>
/// The <c>[Trait("Needs", NAME)]</c> declarations, checked where a real server or tool is used: `./run-tests --filter …`
/// installs only what the selected classes declare (scripts/test-plan.py), so an undeclared use would pass in the full
/// run and fail on a fresh machine in a filtered one. Each server or tool has one entry point that calls
/// <see cref="Require"/> (servers: <see cref="TestServers.Get"/>; peers: <c>PeerTool.Get</c>; Chromium: the
/// <c>Chromium</c> fixture; Prometheus: <c>PrometheusTool.RequireInstalled</c>; dig: <c>DigTool</c>; the public
/// suffix list: <c>PublicSuffixFile</c>; BIND's zone tools: <c>ZoneFileRoundTripTests</c>), so the omission fails at
/// once, in every run.
/// </summary>
public static class TestNeeds
{
    /// <summary>
    /// Throws unless the running test class declares <c>[Trait("Needs", need)]</c>. Outside a test class (no class to
    /// ask: an assembly-level hook) nothing is checked; class fixtures run in their class's context and are checked.
    /// </summary>
    public static void Require(string need)
    {
        if (TestContext.Current.TestClass is not { } testClass)
        {
            return;
        }
        if (!Declares(need))
        {
            throw new InvalidOperationException(
                $"{testClass.TestClassName} uses {need} but does not declare [Trait(\"Needs\", \"{need}\")]: " +
                "./run-tests installs only what the selected test classes declare (scripts/test-plan.py)");
        }
    }

    /// <summary>Whether the running test class declares <paramref name="need"/>; false outside a test class.</summary>
    public static bool Declares(string need) =>
        TestContext.Current.TestClass is { } testClass && testClass.Traits.TryGetValue("Needs", out var needs) && needs.Contains(need);
}
