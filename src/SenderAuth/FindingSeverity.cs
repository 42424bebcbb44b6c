namespace SenderAuth;

/// <summary>How serious a lint or check finding is; shared by every protocol's findings.</summary>
public enum FindingSeverity
{
    Info,
    Warning,
    Error,
}
