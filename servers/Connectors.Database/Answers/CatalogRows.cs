namespace Connectors.Database;

// The rows behind list_schemas, list_tables and describe_table, the same for every provider (mapped by Dapper).

/// <summary>A schema with its owner, number of tables and views, and comment.</summary>
public sealed class SchemaRow
{
    public string Name { get; set; } = "";

    public string Owner { get; set; } = "";

    public int Tables { get; set; }

    public string? Comment { get; set; }
}

/// <summary>A table or view; <see cref="Oid"/> is the engine's object id.</summary>
public sealed class TableRow
{
    public string Schema { get; set; } = "";

    public string Name { get; set; } = "";

    [System.Text.Json.Serialization.JsonIgnore]
    public long Oid { get; set; }

    public string Kind { get; set; } = "";

    public long EstimatedRows { get; set; }

    public long Bytes { get; set; }

    public string? Comment { get; set; }
}

/// <summary>A column as describe_table shows it.</summary>
public sealed class ColumnRow
{
    public string Name { get; set; } = "";

    public string Type { get; set; } = "";

    public bool Nullable { get; set; }

    public string? DefaultValue { get; set; }

    public string? Comment { get; set; }
}

/// <summary>A constraint; <see cref="Kind"/> is p (primary key), f (foreign key), u (unique) or c (check).</summary>
public sealed class ConstraintRow
{
    public string Name { get; set; } = "";

    public string Kind { get; set; } = "";

    public string Definition { get; set; } = "";
}

/// <summary>An index and its definition.</summary>
public sealed class IndexRow
{
    public string Name { get; set; } = "";

    public string Definition { get; set; } = "";
}

/// <summary>Everything describe_table shows about one table.</summary>
public sealed record TableDescription(TableRow Table, List<ColumnRow> Columns, List<ConstraintRow> Constraints, List<IndexRow> Indexes);
