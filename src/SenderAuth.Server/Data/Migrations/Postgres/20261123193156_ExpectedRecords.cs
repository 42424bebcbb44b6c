using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SenderAuth.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ExpectedRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ExpectedRecordsJson",
                table: "Domains",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ExpectedRecordsJson",
                table: "Domains");
        }
    }
}
