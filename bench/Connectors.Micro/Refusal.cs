using Connectors.Hosting.Errors;

namespace Connectors.Micro;

internal static class Refusal
{
    /// <summary>The error code a guard refuses with; the refusal (exception included) is the path being measured.</summary>
    /// <param name="check">The guard call, with a statement it must refuse.</param>
    /// <param name="reasonContains">Words the refusal must give, so the benchmark measures the refusal it names.</param>
    public static string CodeOf(Action check, string reasonContains)
    {
        try
        {
            check();
        }
        catch (ConnectorException refused) when (refused.Message.Contains(reasonContains, StringComparison.Ordinal))
        {
            return refused.Code;
        }

        throw new InvalidOperationException("The guard accepted a statement it must refuse.");
    }
}
