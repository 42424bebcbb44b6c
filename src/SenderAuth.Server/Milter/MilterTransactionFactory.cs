using SenderAuth.Milter;

namespace SenderAuth.Server.Milter;

/// <summary>
/// What the mode gives the driver, picked once when the milter starts: the actions the transactions need, the
/// steps to ask the MTA for (commands skipped, replies not awaited), and a new transaction per message.
/// </summary>
internal sealed record MilterTransactionFactory(MilterActions Actions, MilterSteps Steps, Func<IMilterTransaction> Begin);
