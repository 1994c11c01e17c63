# Sourced by the eng/ scripts: the four servers by the short name the scripts take.
# server_project <name>: prints the project name (Connectors.Filesystem, …), or fails naming the valid ones.
server_project() {
  case "$1" in
    filesystem) echo Connectors.Filesystem ;;
    database) echo Connectors.Database ;;
    github) echo Connectors.GitHub ;;
    slack) echo Connectors.Slack ;;
    *) echo "unknown server '$1' (filesystem, database, github, slack)" >&2; return 2 ;;
  esac
}
