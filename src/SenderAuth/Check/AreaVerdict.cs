namespace SenderAuth.Check;

/// <summary>
/// The verdict of one <see cref="CheckArea"/>, from its findings (<see cref="DomainCheckReport.Verdict"/>). In JSON
/// and text its kebab-case name: <c>ok</c>, <c>warning</c>, <c>error</c>, <c>unknown</c>.
/// </summary>
public enum AreaVerdict
{
    /// <summary>No error and no warning: as expected (information may be present).</summary>
    Ok,
    /// <summary>Works, but fragile: a warning and no error.</summary>
    Warning,
    /// <summary>An error DNS answered for: not ready to send.</summary>
    Error,
    /// <summary>Could not check: DNS did not answer for some name, and nothing it answered is an error.</summary>
    Unknown,
}
