using SenderAuth.Milter;

namespace SenderAuth.Server.Milter;

/// <summary>
/// What the mode gives the driver, picked once when the milter starts: the actions the transactions need, the
/// steps to ask the MTA for (commands skipped, replies not awaited), and a new transaction per message.
/// <see cref="Macros"/>, when set, are asked for per stage (SMFIR_SETSYMLIST in the negotiation) from MTAs that offer it.
/// </summary>
internal sealed record MilterTransactionFactory(MilterActions Actions, MilterSteps Steps, Func<IMilterTransaction> Begin)
{
    public IReadOnlyList<(MilterMacroStage Stage, string Names)> Macros { get; init; } = [];
}

/// <summary>The stages macros are sent at (SMFIM_*), for the macro lists a milter may ask for.</summary>
internal enum MilterMacroStage : uint
{
    Connect = 0,
    Helo = 1,
    Mail = 2,
    Recipient = 3,
    Data = 4,
    EndOfMessage = 5,
    EndOfHeaders = 6,
}
