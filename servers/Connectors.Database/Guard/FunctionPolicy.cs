namespace Connectors.Database;

/// <summary>
/// Which functions a guarded query may call by name, before PostgreSQL's own volatility marking is consulted: functions
/// that touch files, large objects, the network, session state, locks, other backends, the server itself or sequences
/// are refused whatever their volatility, as are functions that run SQL from a string; a few harmless volatile functions
/// are allowed although PostgreSQL marks them volatile.
/// </summary>
internal static class FunctionPolicy
{
    private static readonly HashSet<string> s_deniedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        // Session state and locks.
        "set_config", "setseed", "pg_notify", "pg_listening_channels", "pg_export_snapshot", "pg_import_system_collations",
        "pg_advisory_unlock_all",
        // Other backends and the server itself.
        "pg_cancel_backend", "pg_terminate_backend", "pg_reload_conf", "pg_rotate_logfile", "pg_switch_wal", "pg_promote",
        "pg_log_backend_memory_contexts", "pg_current_logfile", "pg_sleep", "pg_sleep_for", "pg_sleep_until",
        // Sequences.
        "nextval", "setval", "currval", "lastval",
        // Large objects (the lo_ prefix covers the rest).
        "loread", "lowrite",
        // SQL from a string.
        "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema", "cursor_to_xml", "cursor_to_xmlschema",
        "table_to_xml", "table_to_xmlschema", "table_to_xml_and_xmlschema", "schema_to_xml", "schema_to_xmlschema",
        "schema_to_xml_and_xmlschema", "database_to_xml", "database_to_xmlschema", "database_to_xml_and_xmlschema",
        "ts_stat", "ts_rewrite",
    };

    private static readonly string[] s_deniedPrefixes =
    [
        "pg_read_", "pg_ls_", "pg_stat_file", "pg_file_", "pg_stat_reset", "lo_", "dblink", "pg_advisory_", "pg_try_advisory_",
        "pg_create_", "pg_drop_", "pg_replication_", "pg_logical_", "pg_copy_", "pg_backup_", "pg_start_backup", "pg_stop_backup",
        "pg_wal_replay_", "binary_upgrade_", "pg_sequence_", "pg_xact_commit_timestamp",
    ];

    /// <summary>Volatile in pg_catalog, yet they change nothing and read nothing private.</summary>
    private static readonly HashSet<string> s_harmlessVolatile = new(StringComparer.Ordinal)
    {
        "random", "random_normal", "clock_timestamp", "timeofday", "gen_random_uuid", "statement_timestamp",
        "pg_total_relation_size", "pg_relation_size", "pg_table_size", "pg_indexes_size", "pg_database_size",
    };

    public static bool IsDeniedByName(string name) =>
        s_deniedNames.Contains(name) || s_deniedPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    public static bool IsHarmlessVolatile(string name) => s_harmlessVolatile.Contains(name);
}
