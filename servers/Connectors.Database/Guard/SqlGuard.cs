using System.Text;
using System.Text.Json;

namespace Connectors.Database;

/// <summary>
/// The first of the two independent guard layers, and the class every tool handler calls first: it resolves the
/// profile a call names and accepts only one read-only statement, in the dialect of the profile's engine (SQL Server:
/// <see cref="SqlServer.TSqlGuard"/>). For PostgreSQL, PostgreSQL's own grammar (libpg_query) parses the SQL;
/// the root must be a SELECT (WITH, VALUES, set operations included), an EXPLAIN of one, or SHOW; then every node of the
/// tree is walked and anything that could write, lock, or call an unsafe function is refused. Function volatility is then
/// checked against the profile's catalog (<see cref="FunctionCatalog"/>). The engine fence (read-only transaction, always
/// rolled back) is the second layer and does not rely on this one.
/// </summary>
public sealed class SqlGuard(ProfileRegistry profiles, FunctionCatalog catalog)
{
    /// <summary>Longest SQL accepted, in characters: protects the parser and keeps requests reasonable.</summary>
    public const int MaxSqlLength = 100_000;

    /// <summary>Deepest parenthesis nesting accepted before parsing; protects the parser's stack.</summary>
    public const int MaxParenthesisDepth = 100;

    // The JSON tree is several levels deeper than the SQL nesting; this bounds the walk.
    private const int MaxTreeDepth = 1_000;

    private static readonly JsonDocumentOptions s_treeOptions = new() { MaxDepth = MaxTreeDepth + 16 };

    /// <summary>The profile named by a call's <c>database</c> argument (the default profile when absent).</summary>
    public DatabaseProfile Profile(string? database) => profiles.Get(database);

    /// <summary>Both checks of the parser layer: the tree, then (PostgreSQL) the functions and operators against the catalog.</summary>
    public async Task<GuardedStatement> CheckAsync(DatabaseProfile profile, string sql, CancellationToken cancellationToken)
    {
        if (profile.Provider == DatabaseProvider.SqlServer)
        {
            // A build without SQL Server refuses such profiles at start-up; the check lets the trimmer drop the T-SQL parser.
            return SqlServerSupport.IsEnabled ? SqlServer.TSqlGuard.Inspect(sql) : throw new InvalidOperationException("This build has no SQL Server support.");
        }

        var statement = Inspect(sql, profile.AllowExplainAnalyze);
        await catalog.EnsureSafeAsync(profile, statement, cancellationToken);
        return statement;
    }

    /// <summary>The syntactic check alone (no database needed): one accepted statement, nothing unsafe anywhere in it.</summary>
    public static GuardedStatement Inspect(string sql, bool allowExplainAnalyze)
    {
        CheckShape(sql);
        return InspectParsed(sql, allowExplainAnalyze, Postgres.PgQueryNative.Parse(sql));
    }

    /// <summary>What both dialects check before parsing: some SQL, not too long, no NUL, parentheses not too deep (protects the parser).</summary>
    internal static void CheckShape(string sql)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw ConnectorException.InvalidArgument("sql", "a SQL statement is required.");
        }

        if (sql.Length > MaxSqlLength)
        {
            throw ConnectorException.InvalidArgument("sql", $"the statement is {sql.Length:N0} characters long; the limit is {MaxSqlLength:N0}. Shorten it.");
        }

        if (sql.Contains('\0', StringComparison.Ordinal))
        {
            throw ConnectorException.InvalidArgument("sql", "the statement contains a NUL character.");
        }

        if (ParenthesisDepth(sql) > MaxParenthesisDepth)
        {
            throw ConnectorException.InvalidArgument("sql", $"the statement nests parentheses deeper than {MaxParenthesisDepth}. Simplify it.");
        }
    }

    /// <summary>Words an agent recognizes for a parser's node type: "CreateTableAsStmt" → "a CREATE TABLE AS statement".</summary>
    internal static string DescribeNodeType(string type)
    {
        var statement = type.EndsWith("Stmt", StringComparison.Ordinal) || type.EndsWith("Statement", StringComparison.Ordinal);
        var words = new StringBuilder();
        foreach (var c in type.EndsWith("Stmt", StringComparison.Ordinal) ? type[..^4] : type.EndsWith("Statement", StringComparison.Ordinal) ? type[..^9] : type)
        {
            if (char.IsAsciiLetterUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(char.ToUpperInvariant(c));
        }

        return statement ? $"a {words} statement" : $"a {words} element";
    }

    private static GuardedStatement InspectParsed(string sql, bool allowExplainAnalyze, Postgres.PgParseOutcome outcome)
    {
        if (outcome.Error is not null)
        {
            throw ConnectorException.InvalidArgument("sql", outcome.ErrorPosition > 0 ? $"{outcome.Error} (at character {outcome.ErrorPosition})" : outcome.Error);
        }

        JsonDocument tree;
        try
        {
            tree = JsonDocument.Parse(outcome.TreeJson!, s_treeOptions);
        }
        catch (JsonException)
        {
            throw ConnectorException.InvalidArgument("sql", "the statement is nested too deeply to check. Simplify it.");
        }

        using (tree)
        {
            return new TreeInspector(sql, allowExplainAnalyze).Inspect(tree.RootElement);
        }
    }

    private static int ParenthesisDepth(string sql)
    {
        // Counted lexically, parentheses in strings included: an over-estimate only ever refuses, never admits.
        int depth = 0, max = 0;
        foreach (var c in sql)
        {
            if (c == '(')
            {
                max = Math.Max(max, ++depth);
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
            }
        }

        return max;
    }

    private static ConnectorException Refused(string what) => ConnectorException.PermissionDenied(
        $"Refused: {what}. This server runs only one read-only statement per call: SELECT (with WITH, VALUES, UNION…), EXPLAIN of a SELECT, or SHOW.");

    /// <summary>Walks one parse tree; refuses on the first unsafe node and collects what the catalog must check.</summary>
    private sealed class TreeInspector(string sql, bool allowExplainAnalyze)
    {
        private readonly HashSet<FunctionName> _functions = [];
        private readonly HashSet<string> _operators = new(StringComparer.Ordinal);
        private readonly HashSet<string> _attributeNames = new(StringComparer.Ordinal);
        private int _parameterCount;

        public GuardedStatement Inspect(JsonElement root)
        {
            if (!root.TryGetProperty("stmts", out var statements) || statements.GetArrayLength() == 0)
            {
                throw ConnectorException.InvalidArgument("sql", "the text holds no statement (only comments or semicolons).");
            }

            if (statements.GetArrayLength() > 1)
            {
                throw Refused($"the text holds {statements.GetArrayLength()} statements; send exactly one");
            }

            var raw = statements[0];
            var node = raw.GetProperty("stmt");
            var (type, body) = Single(node);
            var kind = StatementKind.Select;
            var analyzes = false;
            switch (type)
            {
                case "SelectStmt":
                    InspectNode(type, body);
                    Walk(body, 1);
                    break;
                case "ExplainStmt":
                    kind = StatementKind.Explain;
                    analyzes = InspectExplain(body);
                    break;
                case "VariableShowStmt":
                    kind = StatementKind.Show;
                    break;
                default:
                    throw Refused($"{DescribeNodeType(type)} is not a read");
            }

            return new GuardedStatement(kind, StatementText(raw), _parameterCount, _functions, _operators, _attributeNames) { Analyzes = analyzes };
        }

        private bool InspectExplain(JsonElement body)
        {
            var (queryType, query) = Single(body.GetProperty("query"));
            if (queryType != "SelectStmt")
            {
                throw Refused($"EXPLAIN of {DescribeNodeType(queryType)} is not allowed; only EXPLAIN of a SELECT");
            }

            var analyzes = false;
            if (body.TryGetProperty("options", out var options))
            {
                foreach (var option in options.EnumerateArray())
                {
                    var definition = option.GetProperty("DefElem");
                    // Any ANALYZE option counts, even "analyze false": refusing a harmless spelling is cheaper than misreading one.
                    if (definition.GetProperty("defname").GetString() == "analyze")
                    {
                        analyzes = true;
                    }
                }
            }

            if (analyzes && !allowExplainAnalyze)
            {
                throw Refused("EXPLAIN ANALYZE runs the query and is not enabled for this database profile (allowExplainAnalyze)");
            }

            InspectNode(queryType, query);
            Walk(query, 2);
            return analyzes;
        }

        private void Walk(JsonElement element, int depth)
        {
            if (depth > MaxTreeDepth)
            {
                throw ConnectorException.InvalidArgument("sql", "the statement is nested too deeply to check. Simplify it.");
            }

            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (IsNodeType(property.Name))
                        {
                            InspectNode(property.Name, property.Value);
                        }

                        Walk(property.Value, depth + 1);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Walk(item, depth + 1);
                    }

                    break;
            }
        }

        private void InspectNode(string type, JsonElement body)
        {
            switch (type)
            {
                case "SelectStmt":
                    if (body.TryGetProperty("intoClause", out _))
                    {
                        throw Refused("SELECT … INTO creates a table");
                    }

                    if (body.TryGetProperty("lockingClause", out _))
                    {
                        throw Refused("FOR UPDATE/SHARE locks rows");
                    }

                    break;
                case "FuncCall":
                    AddFunction(body);
                    break;
                case "A_Expr":
                    if (body.TryGetProperty("name", out var operatorName))
                    {
                        _operators.Add(LastName(operatorName));
                    }

                    break;
                case "ColumnRef":
                    AddAttributeName(body);
                    break;
                case "ParamRef":
                    if (body.TryGetProperty("number", out var number))
                    {
                        _parameterCount = Math.Max(_parameterCount, number.GetInt32());
                    }

                    break;
                default:
                    if (type.EndsWith("Stmt", StringComparison.Ordinal))
                    {
                        throw Refused($"{DescribeNodeType(type)} inside the query is not a read");
                    }

                    break;
            }
        }

        private void AddFunction(JsonElement body)
        {
            var parts = body.GetProperty("funcname").EnumerateArray().Select(NameOf).ToList();
            var function = new FunctionName(parts.Count > 1 ? parts[^2] : null, parts[^1]);
            if (FunctionPolicy.IsDeniedByName(function.Name))
            {
                throw Refused($"the function {function} is not allowed (files, large objects, network, locks, sessions, signals, sequences, administration or SQL from a string)");
            }

            _functions.Add(function);
        }

        private void AddAttributeName(JsonElement body)
        {
            var fields = body.GetProperty("fields");
            if (fields.GetArrayLength() >= 2 && fields[fields.GetArrayLength() - 1].TryGetProperty("String", out _))
            {
                _attributeNames.Add(NameOf(fields[fields.GetArrayLength() - 1]));
            }
        }

        private string StatementText(JsonElement raw)
        {
            var bytes = Encoding.UTF8.GetBytes(sql);
            var start = raw.TryGetProperty("stmt_location", out var location) ? location.GetInt32() : 0;
            var length = raw.TryGetProperty("stmt_len", out var len) && len.GetInt32() > 0 ? len.GetInt32() : bytes.Length - start;
            // Leading text stays, so PostgreSQL's error positions still count from the start of what the caller sent.
            return Encoding.UTF8.GetString(bytes, start, length).TrimEnd();
        }

        private static string LastName(JsonElement names) => NameOf(names[names.GetArrayLength() - 1]);

        private static string NameOf(JsonElement stringNode) =>
            stringNode.TryGetProperty("String", out var s) && s.TryGetProperty("sval", out var value) ? value.GetString() ?? "" : "";

        private static (string Type, JsonElement Body) Single(JsonElement node)
        {
            foreach (var property in node.EnumerateObject())
            {
                return (property.Name, property.Value);
            }

            throw Refused("the statement is empty");
        }

        private static bool IsNodeType(string name) => name.Length > 0 && char.IsAsciiLetterUpper(name[0]);
    }
}
