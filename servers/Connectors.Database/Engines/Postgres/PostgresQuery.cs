using System.Data;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Connectors.Database.Postgres;

/// <summary>
/// Runs one guarded statement inside the engine fence and streams its rows into the answer. A SELECT runs through a
/// cursor fetched in chunks, so at most <c>max_rows + 1</c> rows (the +1 only proves there are more) ever leave the
/// server and memory stays flat however large the table is.
/// </summary>
public sealed class PostgresQuery(PostgresEngine engine) : IQueryRunner
{
    private const string CursorName = "connectors_result";
    // Rows per FETCH: small answers stop early, large ones take few round trips.
    private const int FetchChunk = 5_000;
    private static readonly string s_declare = $"DECLARE {CursorName} NO SCROLL CURSOR FOR ";

    public Task<QueryAnswer> RunAsync(
        DatabaseProfile profile, GuardedStatement statement, IReadOnlyList<JsonElement> parameters, int maxRows, string format, CancellationToken cancellationToken)
    {
        var values = Parameters(statement, parameters);
        var shift = statement.Kind == StatementKind.Select ? s_declare.Length : 0;
        ConnectorException? QueryErrors(PostgresException ex) =>
            IsAboutTheQuery(ex) ? ConnectorException.InvalidArgument("sql", PostgresEngine.QueryErrorText(ex, shift)) : null;

        if (statement.Kind == StatementKind.Select)
        {
            // DECLARE and the first FETCH travel in the fence's batch. When that FETCH can hold the whole answer (the usual
            // case: max_rows + 1 rows), ROLLBACK goes with them and the call is a single round trip; otherwise the next
            // chunks are fetched in the same transaction.
            var firstChunk = Math.Min(FetchChunk, maxRows + 1);
            IEnumerable<NpgsqlBatchCommand> Cursor() => [WithParameters(s_declare + statement.Text, values), new NpgsqlBatchCommand(Fetch(firstChunk))];
            if (firstChunk == maxRows + 1)
            {
                return engine.ReadBatchAsync(profile, Cursor, (reader, ct) => ReadThroughCursorAsync(null, reader, firstChunk, profile, maxRows, format, ct), QueryErrors, cancellationToken);
            }

            return engine.ReadBatchThenContinueAsync(profile, Cursor, (connection, reader, ct) => ReadThroughCursorAsync(connection, reader, firstChunk, profile, maxRows, format, ct), QueryErrors, cancellationToken);
        }

        // EXPLAIN and SHOW answer a handful of rows and cannot be declared as cursors: they travel in the fence's own batch.
        IEnumerable<NpgsqlBatchCommand> Statements() => [WithParameters(statement.Text, values)];
        return engine.ReadBatchAsync(profile, Statements, async (reader, ct) =>
        {
            var result = new ResultBuilder(format, profile.MaxBytes - 600);
            result.SetColumns(RowStream.Columns(reader));
            return Finish(result, await new RowStream(result, maxRows, WriteCellAsync).ReadAsync(reader, ct), profile);
        }, QueryErrors, cancellationToken);
    }

    /// <summary>The plan of a guarded SELECT (EXPLAIN FORMAT JSON, with ANALYZE when asked) as a readable tree.</summary>
    public Task<PlanAnswer> ExplainAsync(
        DatabaseProfile profile, GuardedStatement statement, IReadOnlyList<JsonElement> parameters, bool analyze, CancellationToken cancellationToken)
    {
        var values = Parameters(statement, parameters);
        var prefix = $"EXPLAIN (FORMAT JSON{(analyze ? ", ANALYZE, BUFFERS" : "")}) ";
        IEnumerable<NpgsqlBatchCommand> Statements() => [WithParameters(prefix + statement.Text, values)];
        return engine.ReadBatchAsync(profile, Statements, async (reader, ct) =>
            PlanSummary.Explain(await reader.ReadAsync(ct) ? reader.GetString(0) : "[]"),
            ex => IsAboutTheQuery(ex) ? ConnectorException.InvalidArgument("sql", PostgresEngine.QueryErrorText(ex, prefix.Length)) : null,
            cancellationToken);
    }

    public Task<bool> PingAsync(DatabaseProfile profile, CancellationToken cancellationToken) => engine.PingAsync(profile, cancellationToken);

    private static List<NpgsqlParameter> Parameters(GuardedStatement statement, IReadOnlyList<JsonElement> parameters)
    {
        // PostgreSQL answers a count mismatch with a protocol error; say plainly what is wrong instead.
        if (parameters.Count != statement.ParameterCount)
        {
            throw ConnectorException.InvalidArgument("params", statement.ParameterCount == 0
                ? $"the query has no $n placeholders, but {parameters.Count} value(s) were given."
                : $"the query uses $1…${statement.ParameterCount}; give exactly {statement.ParameterCount} value(s) (got {parameters.Count}).");
        }

        return [.. parameters.Select(ToParameter)];
    }

    /// <summary>
    /// Reads the first FETCH's rows from <paramref name="reader"/>, then, while every chunk comes back full and the answer has
    /// room, FETCHes the next ones on <paramref name="connection"/> (null: the first chunk was all there could be).
    /// </summary>
    private static async Task<QueryAnswer> ReadThroughCursorAsync(
        NpgsqlConnection? connection, NpgsqlDataReader reader, int chunk, DatabaseProfile profile, int maxRows, string format, CancellationToken cancellationToken)
    {
        var result = new ResultBuilder(format, profile.MaxBytes - 600);
        result.SetColumns(RowStream.Columns(reader));
        var rows = new RowStream(result, maxRows, WriteCellAsync);
        NpgsqlCommand? fetch = null;
        try
        {
            while (true)
            {
                var before = rows.Seen;
                var stop = await rows.ReadAsync(reader, cancellationToken);
                if (stop != Stop.End || rows.Seen - before < chunk || connection is null)
                {
                    return Finish(result, stop, profile);
                }

                // The open reader must be closed before the connection takes another command.
                await reader.DisposeAsync();
                if (fetch is not null)
                {
                    await fetch.DisposeAsync();
                }

                chunk = Math.Min(FetchChunk, maxRows + 1 - rows.Seen);
                fetch = new NpgsqlCommand(Fetch(chunk), connection);
                reader = await fetch.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            }
        }
        finally
        {
            await reader.DisposeAsync();
            if (fetch is not null)
            {
                await fetch.DisposeAsync();
            }
        }
    }

    private static QueryAnswer Finish(ResultBuilder result, Stop stopped, DatabaseProfile profile) => result.Finish(stopped, profile, "ORDER BY … LIMIT/OFFSET");

    private static string Fetch(int rows) => $"FETCH FORWARD {rows.ToString(CultureInfo.InvariantCulture)} FROM {CursorName}";

    private static NpgsqlBatchCommand WithParameters(string sql, List<NpgsqlParameter> parameters)
    {
        // A parameter belongs to one command; the engine may build the batch twice (a dead pooled connection replaced).
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters.Select(p => p.Clone()).ToArray());
        return command;
    }

    private static ValueTask WriteCellAsync(System.Data.Common.DbDataReader reader, int ordinal, string type, ResultBuilder result, CancellationToken cancellationToken) =>
        PostgresValues.WriteAsync((NpgsqlDataReader)reader, ordinal, type, result, cancellationToken);

    /// <summary>Errors in the statement itself (syntax, names, types, data), as opposed to connection trouble.</summary>
    internal static bool IsAboutTheQuery(PostgresException ex) =>
        ex.SqlState[..2] is "22" or "42" or "21" or "2F" or "0A" or "P0" or "27" or "44" or "2B" or "38" or "39" or "09";

    /// <summary>
    /// Parameters are sent untyped (PostgreSQL infers each from its use), as text: JSON strings as they are, numbers and
    /// booleans as written, arrays of scalars as PostgreSQL array literals, objects as JSON text.
    /// </summary>
    private static NpgsqlParameter ToParameter(JsonElement value, int index)
    {
        object text = value.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => DBNull.Value,
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Array => ArrayLiteral(value, index),
            _ => value.GetRawText(),
        };
        return new NpgsqlParameter { Value = text, NpgsqlDbType = NpgsqlDbType.Unknown };
    }

    private static string ArrayLiteral(JsonElement array, int index)
    {
        var literal = new StringBuilder("{");
        var first = true;
        foreach (var item in array.EnumerateArray())
        {
            if (!first)
            {
                literal.Append(',');
            }

            first = false;
            literal.Append(item.ValueKind switch
            {
                JsonValueKind.Null => "NULL",
                JsonValueKind.String => "\"" + item.GetString()!.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => item.GetRawText(),
                _ => throw ConnectorException.InvalidArgument("params", $"params[{index}]: an array may hold only strings, numbers, booleans and nulls."),
            });
        }

        return literal.Append('}').ToString();
    }
}
