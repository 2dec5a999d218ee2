/**
 * A report's blocks (lib/report/email-document.ts) laid out as page elements, so the day page says
 * exactly what the emails say. Tables carry each cell's column name (`data-label`): on a phone they
 * stack, one record per row, instead of hiding columns (the stylesheet's `table.stack`).
 */
import type { Block, Cell, Column } from "../../report/email-document";

export function ReportBlocks(props: { blocks: Block[] }) {
  return <>{props.blocks.map((block) => <ReportBlock block={block} />)}</>;
}

function ReportBlock(props: { block: Block }) {
  const { block } = props;
  switch (block.kind) {
    case "heading":
      return <h2>{block.text}</h2>;
    case "paragraph":
      return (
        <p class={block.alert ? "attention" : undefined}>
          {block.text}
          {(block.links ?? []).map((link) => <><br /><a href={link.url}>{link.text}</a></>)}
        </p>
      );
    case "facts":
      return <table class="facts"><tbody>{block.rows.map(([name, value]) => <tr><th scope="row">{name}</th><td>{value}</td></tr>)}</tbody></table>;
    case "table":
      return <BlockTable block={block} />;
    case "list":
      return <><h2>{block.title}</h2><ul>{block.items.map((item) => <li>{item.text}{item.link && <> <a href={item.link.url}>{item.link.text}</a></>}</li>)}</ul></>;
  }
}

function BlockTable(props: { block: Extract<Block, { kind: "table" }> }) {
  const { block } = props;
  return (
    <table class="stack">
      <caption>{block.caption}</caption>
      <thead><tr>{block.columns.map((column) => <th scope="col" class={column.numeric ? "num" : undefined}>{column.title}</th>)}</tr></thead>
      <tbody>{block.rows.map((row) => <tr>{row.map((each, index) => <BlockCell cell={each} column={block.columns[index]} header={index === 0} />)}</tr>)}</tbody>
      {block.footer && <tfoot><tr>{block.footer.map((each, index) => <BlockCell cell={each} column={block.columns[index]} header={index === 0} />)}</tr></tfoot>}
    </table>
  );
}

export function BlockCell(props: { cell: Cell; column: Column | undefined; header: boolean }) {
  const { cell, column } = props;
  const content = cell.url ? <a href={cell.url}>{cell.text}</a> : cell.text;
  const numeric = column?.numeric ? "num" : undefined;
  return props.header
    ? <th scope="row" class={numeric} data-label={column?.title}>{content}</th>
    : <td class={numeric} data-label={column?.title}>{content}</td>;
}
