using Connectors.Database.SqlServer;

namespace Connectors.Database.Tests;

/// <summary>SQL Server's XML showplan as a readable tree (the shape of SET SHOWPLAN_XML / STATISTICS XML output).</summary>
public sealed class ShowPlanSummaryTests
{
    private const string Plan = """
        <ShowPlanXML xmlns="http://schemas.microsoft.com/sqlserver/2004/07/showplan" Version="1.539" Build="15.0.2000.5">
          <BatchSequence><Batch><Statements>
            <StmtSimple StatementText="SELECT a.owner, o.total FROM dbo.accounts a JOIN dbo.orders o ON o.account_id = a.id WHERE o.total &gt; 10" StatementSubTreeCost="0.0131" StatementEstRows="3">
              <QueryPlan>
                <MissingIndexes>
                  <MissingIndexGroup Impact="71.5">
                    <MissingIndex Database="[app]" Schema="[dbo]" Table="[orders]">
                      <ColumnGroup Usage="INEQUALITY"><Column Name="[total]" ColumnId="3" /></ColumnGroup>
                    </MissingIndex>
                  </MissingIndexGroup>
                </MissingIndexes>
                <RelOp NodeId="0" PhysicalOp="Nested Loops" LogicalOp="Inner Join" EstimateRows="3" EstimatedTotalSubtreeCost="0.0131">
                  <OutputList />
                  <RunTimeInformation><RunTimeCountersPerThread Thread="0" ActualRows="2" ActualExecutions="1" /></RunTimeInformation>
                  <NestedLoops Optimized="0">
                    <RelOp NodeId="1" PhysicalOp="Clustered Index Scan" LogicalOp="Clustered Index Scan" EstimateRows="3" EstimatedTotalSubtreeCost="0.0032">
                      <OutputList />
                      <IndexScan Ordered="0">
                        <Object Database="[app]" Schema="[dbo]" Table="[orders]" Index="[PK_orders]" Alias="[o]" />
                        <Predicate><ScalarOperator ScalarString="[app].[dbo].[orders].[total] as [o].[total]&gt;($10.0000)" /></Predicate>
                      </IndexScan>
                    </RelOp>
                    <RelOp NodeId="2" PhysicalOp="Clustered Index Seek" LogicalOp="Clustered Index Seek" EstimateRows="1" EstimatedTotalSubtreeCost="0.0098">
                      <OutputList />
                      <IndexScan Ordered="1">
                        <Object Database="[app]" Schema="[dbo]" Table="[accounts]" Index="[PK_accounts]" Alias="[a]" />
                        <SeekPredicates><SeekPredicateNew><SeekKeys><Prefix ScanType="EQ"><RangeColumns /><RangeExpressions>
                          <ScalarOperator ScalarString="[app].[dbo].[orders].[account_id] as [o].[account_id]" />
                        </RangeExpressions></Prefix></SeekKeys></SeekPredicateNew></SeekPredicates>
                      </IndexScan>
                    </RelOp>
                  </NestedLoops>
                </RelOp>
              </QueryPlan>
            </StmtSimple>
          </Statements></Batch></BatchSequence>
        </ShowPlanXML>
        """;

    [Fact]
    public void A_showplan_becomes_an_indented_tree_with_objects_costs_predicates_and_actual_rows()
    {
        Assert.Equal(
            """
            Statement  (cost 0.0131, rows 3)
               -> Nested Loops (Inner Join)  (cost 0.0131, rows 3) (actual rows 2, executions 1)
                  -> Clustered Index Scan on dbo.orders using PK_orders  (cost 0.0032, rows 3)
                       Predicate: [app].[dbo].[orders].[total] as [o].[total]>($10.0000)
                  -> Clustered Index Seek on dbo.accounts using PK_accounts  (cost 0.0098, rows 1)
                       Seek: [app].[dbo].[orders].[account_id] as [o].[account_id]
            Missing index (impact 71.5%): dbo.orders (total)

            """.ReplaceLineEndings("\n"),
            ShowPlanSummary.Render([Plan]));
    }

    [Fact]
    public void The_same_showplan_becomes_plan_nodes_for_the_structured_answer()
    {
        var root = Assert.Single(ShowPlanSummary.Explain([Plan]).Plan);
        Assert.Equal("Nested Loops (Inner Join)", root.Operation);
        Assert.Equal(0.0131, root.Cost);
        Assert.Equal(2, root.ActualRows);
        Assert.Equal(1, root.Loops);
        Assert.Equal(["Clustered Index Scan on dbo.orders using PK_orders", "Clustered Index Seek on dbo.accounts using PK_accounts"], root.Children.Select(c => c.Operation));
        Assert.Equal("[app].[dbo].[orders].[total] as [o].[total]>($10.0000)", root.Children[0].Details["Predicate"]);
        Assert.Null(root.Children[0].ActualRows);
    }

    [Fact]
    public void No_plan_says_so_and_a_document_type_definition_is_refused()
    {
        Assert.Equal("SQL Server returned no plan for this statement.\n", ShowPlanSummary.Render([]));
        Assert.Throws<System.Xml.XmlException>(() => ShowPlanSummary.Render(["<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"]));
    }
}
