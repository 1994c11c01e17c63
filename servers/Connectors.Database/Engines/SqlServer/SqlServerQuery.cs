using System.Data;
using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.SqlClient;

namespace Connectors.Database.SqlServer;

/// <summary>
/// Runs one guarded SELECT on SQL Server inside the engine fence and streams its rows into the shared result format. The
/// server streams rows as they are produced; reading stops at <c>max_rows + 1</c> or the byte budget, and then the rest
/// of the result is cancelled on the server instead of drained. Parameters are <c>@p1, @p2…</c>, bound positionally.
/// </summary>
public sealed class SqlServerQuery(SqlServerEngine engine) : IQueryRunner
{
    /// <summary>The column SQL Server names a showplan result set with.</summary>
    private const string ShowplanColumn = "Microsoft SQL Server 2005 XML Showplan";

    public Task<QueryAnswer> RunAsync(
        DatabaseProfile profile, GuardedStatement statement, IReadOnlyList<JsonElement> parameters, int maxRows, string format, CancellationToken cancellationToken)
    {
        var values = Parameters(statement, parameters);
        return engine.ReadAsync(profile, async (connection, transaction, ct) =>
        {
            var result = new ResultBuilder(format, profile.MaxBytes - 600);
            await using var command = SqlServerEngine.Command(statement.Text, connection, transaction, profile);
            command.Parameters.AddRange(values);
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
            result.SetColumns(RowStream.Columns(reader));
            var stopped = await new RowStream(result, maxRows, WriteCellAsync).ReadAsync(reader, ct);
            if (stopped != Stop.End)
            {
                // Closing a reader with rows left reads them all; cancelling first stops the server producing them.
                command.Cancel();
                try
                {
                    await reader.CloseAsync();
                }
                catch (SqlException)
                {
                    // The acknowledgement of that cancellation; the rows already read are the answer.
                }
            }

            return result.Finish(stopped, profile, "ORDER BY … OFFSET … ROWS FETCH NEXT … ROWS ONLY");
        }, cancellationToken);
    }

    /// <summary>
    /// The estimated plan (<c>SET SHOWPLAN_XML ON</c>: the query is compiled, not run) or, with <paramref name="analyze"/>,
    /// the actual plan (<c>SET STATISTICS XML ON</c>: the query runs, inside the rolled-back transaction), as a readable tree.
    /// </summary>
    public Task<PlanAnswer> ExplainAsync(
        DatabaseProfile profile, GuardedStatement statement, IReadOnlyList<JsonElement> parameters, bool analyze, CancellationToken cancellationToken)
    {
        var values = Parameters(statement, parameters);
        var mode = analyze ? "STATISTICS XML" : "SHOWPLAN_XML";
        return engine.ReadAsync(profile, async (connection, transaction, ct) =>
        {
            // A SET SHOWPLAN statement must be alone in its batch.
            await using (var on = SqlServerEngine.Command($"SET {mode} ON", connection, transaction, profile))
            {
                await on.ExecuteNonQueryAsync(ct);
            }

            var plans = new List<string>();
            await using (var command = SqlServerEngine.Command(statement.Text, connection, transaction, profile))
            {
                command.Parameters.AddRange(values);
                await using var reader = await command.ExecuteReaderAsync(ct);
                do
                {
                    var isPlan = reader.FieldCount == 1 && reader.GetName(0) == ShowplanColumn;
                    while (await reader.ReadAsync(ct))
                    {
                        if (isPlan)
                        {
                            plans.Add(reader.GetString(0));
                        }
                    }
                }
                while (await reader.NextResultAsync(ct));
            }

            await using (var off = SqlServerEngine.Command($"SET {mode} OFF", connection, transaction, profile))
            {
                await off.ExecuteNonQueryAsync(ct);
            }

            return ShowPlanSummary.Explain(plans);
        }, cancellationToken);
    }

    public Task<bool> PingAsync(DatabaseProfile profile, CancellationToken cancellationToken) => engine.PingAsync(profile, cancellationToken);

    private static SqlParameter[] Parameters(GuardedStatement statement, IReadOnlyList<JsonElement> parameters)
    {
        if (parameters.Count != statement.ParameterCount)
        {
            throw ConnectorException.InvalidArgument("params", statement.ParameterCount == 0
                ? $"the query has no @p1, @p2… placeholders, but {parameters.Count} value(s) were given."
                : $"the query uses @p1…@p{statement.ParameterCount}; give exactly {statement.ParameterCount} value(s) (got {parameters.Count}).");
        }

        return [.. parameters.Select(ToParameter)];
    }

    /// <summary>Strings as nvarchar, whole numbers as bigint, other numbers as decimal (or float beyond it), booleans as bit; SQL Server converts from there.</summary>
    private static SqlParameter ToParameter(JsonElement value, int index)
    {
        var name = $"@p{index + 1}";
        return value.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => new SqlParameter(name, SqlDbType.NVarChar, 1) { Value = DBNull.Value },
            JsonValueKind.String => new SqlParameter(name, SqlDbType.NVarChar, -1) { Value = value.GetString() },
            JsonValueKind.True or JsonValueKind.False => new SqlParameter(name, SqlDbType.Bit) { Value = value.GetBoolean() },
            JsonValueKind.Number when value.TryGetInt64(out var whole) => new SqlParameter(name, SqlDbType.BigInt) { Value = whole },
            JsonValueKind.Number when value.TryGetDecimal(out var exact) => new SqlParameter(name, SqlDbType.Decimal) { Value = exact },
            JsonValueKind.Number => new SqlParameter(name, SqlDbType.Float) { Value = value.GetDouble() },
            _ => throw ConnectorException.InvalidArgument("params", $"params[{index}]: SQL Server takes strings, numbers, booleans and nulls (send JSON as a string)."),
        };
    }

    private static async ValueTask WriteCellAsync(DbDataReader reader, int ordinal, string type, ResultBuilder result, CancellationToken cancellationToken) =>
        result.WriteCell(await SqlServerValues.ReadAsync((SqlDataReader)reader, ordinal, type, result.MaxBytes, cancellationToken));
}
