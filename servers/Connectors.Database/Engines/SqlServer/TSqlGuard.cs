using System.Text;
using System.Text.RegularExpressions;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Connectors.Database.SqlServer;

/// <summary>
/// The T-SQL half of <see cref="SqlGuard"/>: Microsoft's own T-SQL parser (ScriptDom, <c>TSql180Parser</c>, its newest
/// grammar, quoted identifiers on) reads the text; exactly one statement across all batches is accepted, and it must be
/// a SELECT without INTO. Then every node of the tree is checked against an allowlist of the parts a read-only query is
/// made of: any node type not on it is refused (fail closed), and several that are on it are checked further
/// (linked-server names, table and query hints, function names, variables). SQL Server has no read-only transaction, so
/// this layer, the always rolled-back transaction and the least-privilege login are what keep a query from writing.
/// </summary>
internal static partial class TSqlGuard
{
    private const string Accepts = "This server runs only one read-only statement per call on SQL Server: a SELECT (with WITH, UNION…, FOR JSON/XML), without INTO.";

    /// <summary>The node types a read-only SELECT is made of. Anything else anywhere in the tree is refused.</summary>
    private static readonly HashSet<Type> s_allowed =
    [
        typeof(TSqlScript), typeof(TSqlBatch), typeof(SelectStatement),
        // Query structure.
        typeof(QuerySpecification), typeof(BinaryQueryExpression), typeof(QueryParenthesisExpression),
        typeof(SelectScalarExpression), typeof(SelectStarExpression), typeof(FromClause), typeof(WhereClause),
        typeof(GroupByClause), typeof(HavingClause), typeof(OrderByClause), typeof(ExpressionWithSortOrder),
        typeof(TopRowFilter), typeof(OffsetClause), typeof(ExpressionGroupingSpecification),
        typeof(GroupingSetsGroupingSpecification), typeof(RollupGroupingSpecification), typeof(CubeGroupingSpecification),
        typeof(CompositeGroupingSpecification), typeof(GrandTotalGroupingSpecification),
        typeof(WithCtesAndXmlNamespaces), typeof(CommonTableExpression), typeof(XmlNamespaces),
        typeof(XmlNamespacesAliasElement), typeof(XmlNamespacesDefaultElement),
        // FOR XML / FOR JSON shape the answer; they read nothing more.
        typeof(XmlForClause), typeof(XmlForClauseOption), typeof(JsonForClause), typeof(JsonForClauseOption),
        // Tables and joins.
        typeof(NamedTableReference), typeof(TableHint), typeof(IndexTableHint), typeof(ForceSeekTableHint), typeof(QualifiedJoin), typeof(UnqualifiedJoin),
        typeof(JoinParenthesisTableReference), typeof(QueryDerivedTable), typeof(InlineDerivedTable), typeof(RowValue),
        typeof(SchemaObjectFunctionTableReference), typeof(GlobalFunctionTableReference), typeof(OpenJsonTableReference),
        typeof(SchemaDeclarationItemOpenjson), typeof(SchemaDeclarationItem), typeof(ColumnDefinitionBase),
        typeof(PivotedTableReference), typeof(UnpivotedTableReference), typeof(TableSampleClause),
        typeof(FullTextTableReference), typeof(FullTextPredicate),
        // Names.
        typeof(SchemaObjectName), typeof(MultiPartIdentifier), typeof(Identifier), typeof(IdentifierOrValueExpression),
        typeof(ColumnReferenceExpression),
        // Literals and expressions.
        typeof(IntegerLiteral), typeof(NumericLiteral), typeof(RealLiteral), typeof(MoneyLiteral), typeof(StringLiteral),
        typeof(NullLiteral), typeof(BinaryLiteral), typeof(MaxLiteral), typeof(OdbcLiteral),
        // A date part (DATEADD(day, …), DATEDIFF, DATETRUNC): a bare word the parser keeps as a literal.
        typeof(IdentifierLiteral),
        typeof(BinaryExpression), typeof(UnaryExpression), typeof(ParenthesisExpression), typeof(ScalarSubquery),
        typeof(BooleanComparisonExpression), typeof(BooleanBinaryExpression), typeof(BooleanNotExpression),
        typeof(BooleanParenthesisExpression), typeof(BooleanIsNullExpression), typeof(BooleanTernaryExpression),
        typeof(InPredicate), typeof(LikePredicate), typeof(ExistsPredicate), typeof(SubqueryComparisonPredicate),
        typeof(FunctionCall), typeof(MultiPartIdentifierCallTarget), typeof(ExpressionCallTarget), typeof(UserDefinedTypeCallTarget),
        typeof(CastCall), typeof(ConvertCall), typeof(TryCastCall), typeof(TryConvertCall), typeof(ParseCall), typeof(TryParseCall),
        typeof(IIfCall), typeof(NullIfExpression), typeof(CoalesceExpression), typeof(LeftFunctionCall), typeof(RightFunctionCall),
        typeof(SearchedCaseExpression), typeof(SimpleCaseExpression), typeof(SearchedWhenClause), typeof(SimpleWhenClause),
        typeof(AtTimeZoneCall), typeof(OverClause), typeof(WindowFrameClause), typeof(WindowDelimiter), typeof(WithinGroupClause),
        typeof(SqlDataTypeReference), typeof(XmlDataTypeReference), typeof(UserDataTypeReference), typeof(VectorDataTypeReference),
        typeof(VariableReference), typeof(GlobalVariableExpression),
        // OPTION (…) and table hints: each checked by kind below.
        typeof(OptimizerHint), typeof(LiteralOptimizerHint), typeof(OptimizeForOptimizerHint), typeof(VariableValuePair),
    ];

    /// <summary>Query hints that only steer the plan's shape. MAXRECURSION is checked by value; MAXDOP, QUERYTRACEON, USE PLAN, grants and the rest are refused.</summary>
    private static readonly HashSet<OptimizerHintKind> s_planShapeHints =
    [
        OptimizerHintKind.HashGroup, OptimizerHintKind.OrderGroup, OptimizerHintKind.MergeJoin, OptimizerHintKind.HashJoin,
        OptimizerHintKind.LoopJoin, OptimizerHintKind.ConcatUnion, OptimizerHintKind.HashUnion, OptimizerHintKind.MergeUnion,
        OptimizerHintKind.ForceOrder, OptimizerHintKind.Fast, OptimizerHintKind.OptimizeFor, OptimizerHintKind.Recompile,
        OptimizerHintKind.MaxRecursion,
    ];

    /// <summary>Table hints that take no locks beyond an ordinary read's (UPDLOCK, XLOCK, TABLOCK, HOLDLOCK… are refused).</summary>
    private static readonly HashSet<TableHintKind> s_readTableHints =
    [
        TableHintKind.NoLock, TableHintKind.ReadUncommitted, TableHintKind.ReadCommitted, TableHintKind.NoExpand,
        TableHintKind.Index, TableHintKind.ForceSeek, TableHintKind.ForceScan, TableHintKind.NoWait,
    ];

    /// <summary>Table-valued built-ins callable without a schema.</summary>
    private static readonly HashSet<string> s_globalTableFunctions = new(StringComparer.OrdinalIgnoreCase) { "STRING_SPLIT", "GENERATE_SERIES" };

    /// <summary>Types whose static methods may be called (<c>geography::Point(…)</c>): the built-in CLR types only.</summary>
    private static readonly HashSet<string> s_builtInTypes = new(StringComparer.OrdinalIgnoreCase) { "geography", "geometry", "hierarchyid" };

    /// <summary>
    /// Functions refused by name wherever they appear: procedures and extended procedures (not callable from a query, but
    /// never worth the doubt), and functions that read server files, trace or audit files, the transaction log, other
    /// sessions' SQL, or password hashes.
    /// </summary>
    private static readonly HashSet<string> s_deniedFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "fn_get_audit_file", "fn_trace_gettable", "fn_trace_getinfo", "fn_trace_geteventinfo", "fn_trace_getfilterinfo",
        "fn_dblog", "fn_dump_dblog", "fn_full_dblog", "fn_get_sql", "dm_os_enumerate_filesystem", "dm_os_file_exists",
        "dm_exec_sql_text", "dm_exec_input_buffer", "pwdcompare", "pwdencrypt", "openrowset", "openquery", "opendatasource",
        "openxml", "fn_virtualfilestats", "fn_servershareddrives",
    };

    private static readonly string[] s_deniedPrefixes = ["sp_", "xp_", "fn_xe_", "fn_trace_", "dm_os_file"];

    /// <summary>Parses and checks one T-SQL text; the statement to send keeps the caller's line numbers.</summary>
    public static GuardedStatement Inspect(string sql)
    {
        SqlGuard.CheckShape(sql);
        return ParserStack.Run(sql, ParseAndCheck);
    }

    internal static GuardedStatement ParseAndCheck(string sql)
    {
        var script = new TSql180Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        if (script?.ScriptTokenStream is { } tokens)
        {
            RefuseNonAsciiOutsideStringsAndNames(tokens);
        }

        if (errors.Count > 0)
        {
            var error = errors[0];
            throw ConnectorException.InvalidArgument("sql", $"{error.Message} (line {error.Line}, column {error.Column})");
        }

        var statements = ((TSqlScript)script!).Batches.SelectMany(batch => batch.Statements).ToList();
        if (statements.Count == 0)
        {
            throw ConnectorException.InvalidArgument("sql", "the text holds no statement (only comments, semicolons or GO).");
        }

        if (statements.Count > 1)
        {
            throw Refused($"the text holds {statements.Count} statements; send exactly one");
        }

        if (statements[0] is not SelectStatement select || select.GetType() != typeof(SelectStatement))
        {
            throw Refused($"{SqlGuard.DescribeNodeType(statements[0].GetType().Name)} is not a read");
        }

        if (select.Into is not null)
        {
            throw Refused("SELECT … INTO creates a table");
        }

        if (select.ComputeClauses.Count > 0)
        {
            throw Refused("COMPUTE is not supported");
        }

        var walk = new AllowlistWalk();
        script.Accept(walk);
        return new GuardedStatement(StatementKind.Select, OnlyTheStatement(sql, select), walk.ParameterCount,
            new HashSet<FunctionName>(), new HashSet<string>(), new HashSet<string>());
    }

    /// <summary>
    /// Homoglyph keywords (Cyrillic "Е" for "E") and exotic spaces could make the server read a text differently from the
    /// parser; outside string literals, comments and quoted or [bracketed] names only ASCII is accepted.
    /// </summary>
    private static void RefuseNonAsciiOutsideStringsAndNames(IList<TSqlParserToken> tokens)
    {
        foreach (var token in tokens)
        {
            if (token.TokenType is TSqlTokenType.AsciiStringLiteral or TSqlTokenType.UnicodeStringLiteral or TSqlTokenType.QuotedIdentifier
                or TSqlTokenType.AsciiStringOrQuotedIdentifier or TSqlTokenType.SingleLineComment or TSqlTokenType.MultilineComment
                || token.Text is null)
            {
                continue;
            }

            var index = token.Text.AsSpan().IndexOfAnyExceptInRange('\0', '\u007f');
            if (index >= 0)
            {
                throw Refused($"the character U+{(int)token.Text[index]:X4} at line {token.Line}, column {token.Column} is outside a string, comment or [bracketed] name " +
                    "(it could pass for a keyword or a space); write keywords in ASCII and bracket non-ASCII names");
            }
        }
    }

    /// <summary>The statement alone, everything else (comments, GO, other empty batches) blanked so SQL Server's line numbers still match the caller's text.</summary>
    private static string OnlyTheStatement(string sql, SelectStatement statement)
    {
        var text = new StringBuilder(sql.Length);
        var end = statement.StartOffset + statement.FragmentLength;
        for (var i = 0; i < end; i++)
        {
            var c = sql[i];
            text.Append(i >= statement.StartOffset || c is '\n' or '\r' ? c : ' ');
        }

        return text.ToString().TrimEnd();
    }

    private static ConnectorException Refused(string what) => ConnectorException.PermissionDenied($"Refused: {what}. {Accepts}");

    private static bool IsDeniedFunction(string name) =>
        s_deniedFunctions.Contains(name) || s_deniedPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("^@p[1-9][0-9]{0,3}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ParameterName();

    /// <summary>Visits every node (ScriptDom calls <see cref="Visit(TSqlFragment)"/> for each one before its children).</summary>
    private sealed class AllowlistWalk : TSqlFragmentVisitor
    {
        public int ParameterCount { get; private set; }

        public override void Visit(TSqlFragment fragment)
        {
            if (!s_allowed.Contains(fragment.GetType()))
            {
                throw Refused(KnownRefusal(fragment) ?? $"{SqlGuard.DescribeNodeType(fragment.GetType().Name)} is not among the parts of a read-only query this server accepts");
            }

            switch (fragment)
            {
                case SchemaObjectName { ServerIdentifier: { } server }:
                    throw Refused($"the four-part name through '{server.Value}' reaches a linked server");
                case FunctionCall call when IsDeniedFunction(call.FunctionName.Value):
                    throw Refused($"the function {call.FunctionName.Value} is not allowed (procedures, files, traces, logs, other sessions or passwords)");
                case SchemaObjectFunctionTableReference table when IsDeniedFunction(table.SchemaObject.BaseIdentifier.Value):
                    throw Refused($"the function {table.SchemaObject.BaseIdentifier.Value} is not allowed (procedures, files, traces, logs, other sessions or passwords)");
                case GlobalFunctionTableReference table when !s_globalTableFunctions.Contains(table.Name.Value):
                    throw Refused($"the table function {table.Name.Value} is not allowed");
                case UserDefinedTypeCallTarget target when !s_builtInTypes.Contains(target.SchemaObjectName.BaseIdentifier.Value):
                    throw Refused($"methods of the type {target.SchemaObjectName.BaseIdentifier.Value} are not allowed (only geography, geometry and hierarchyid)");
                case TableHint hint when !s_readTableHints.Contains(hint.HintKind):
                    throw Refused($"the table hint {hint.HintKind.ToString().ToUpperInvariant()} takes locks or changes how the server reads");
                case OptimizerHint hint:
                    CheckQueryHint(hint);
                    break;
                case VariableReference variable:
                    CountParameter(variable.Name);
                    break;
            }
        }

        private static void CheckQueryHint(OptimizerHint hint)
        {
            if (!s_planShapeHints.Contains(hint.HintKind))
            {
                throw Refused($"the query hint {hint.HintKind.ToString().ToUpperInvariant()} changes how the server runs queries");
            }

            if (hint.HintKind == OptimizerHintKind.MaxRecursion
                && (hint is not LiteralOptimizerHint { Value: IntegerLiteral limit } || !int.TryParse(limit.Value, out var levels) || levels < 1 || levels > 32_767))
            {
                throw Refused("OPTION (MAXRECURSION …) must be between 1 and 32767 (0 lifts the limit on recursion)");
            }
        }

        private void CountParameter(string name)
        {
            if (!ParameterName().IsMatch(name))
            {
                throw Refused($"the variable {name} is not available; pass values as params and write them @p1, @p2…");
            }

            ParameterCount = Math.Max(ParameterCount, int.Parse(name.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture));
        }

        private static string? KnownRefusal(TSqlFragment fragment) => fragment switch
        {
            ExecuteStatement or ExecuteSpecification or ExecutableProcedureReference or ExecutableStringList or ExecuteInsertSource =>
                "EXEC/EXECUTE runs procedures or dynamic SQL",
            OpenRowsetTableReference or BulkOpenRowset or InternalOpenRowset => "OPENROWSET reads files or other servers",
            OpenQueryTableReference => "OPENQUERY runs SQL on a linked server",
            AdHocTableReference or AdHocDataSource => "OPENDATASOURCE reaches other servers",
            OpenXmlTableReference => "OPENXML needs a document handle from a procedure",
            NextValueForExpression => "NEXT VALUE FOR advances a sequence",
            WaitForStatement or WaitForSupportedStatement => "WAITFOR holds the session",
            VariableTableReference or VariableMethodCallTableReference => "table variables are not available",
            BuiltInFunctionTableReference => "the ::function() table form is not allowed",
            SelectSetVariable => "assigning variables is not a read",
            UpdateForClause or ReadOnlyForClause or BrowseForClause => "FOR UPDATE / READ ONLY / BROWSE belong to cursors",
            _ => null,
        };
    }
}
