// Icons the chat uses too would be split out of the chat's chunk: these are the dashboards' own
// (or already in the entry, like Code2 and X).
import { ArrowLeft, ArrowRight, ChartArea, ChartColumn, ChartLine, ChartPie, Code2, FileDown, Funnel, Hash, RefreshCw, Table2, Undo2, X } from 'lucide-react';
import { type ReactNode, useEffect, useId, useMemo, useRef } from 'react';
import { useNavigate } from 'react-router';
import { toast } from 'sonner';
import type { ChartKind, ChartSpec } from '../../api/protocol';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { cx } from '../../lib/cx';
import { describeError } from '../../lib/errors';
import { ChartBlock } from '../chat/charts/ChartBlock';
import { ResultTable } from '../chat/steps/ResultTable';
import { KIND_LABELS, KIND_ORDER, availableKinds, chartFor } from './chartSwitch';
import type { Tile, UpdateTileBody } from './hooks';
import { type MenuButtonHandle, MenuButton, type MenuGroup } from './MenuButton';
import { formatDateTime, formatDay, formatRelative } from './time';
import { type QueryResult, type TileData, chartResult, downloadArtifactCsv, tileChart, useTileData } from './tileData';
import { artifactQueries, heightName, narrower, shorter, taller, tileClasses, wider, widthName } from './tileLayout';

const ICON = 'size-4 shrink-0';

const KIND_ICONS: Record<ChartKind, ReactNode> = {
  bar: <ChartColumn className={ICON} aria-hidden="true" />,
  line: <ChartLine className={ICON} aria-hidden="true" />,
  area: <ChartArea className={ICON} aria-hidden="true" />,
  pie: <ChartPie className={ICON} aria-hidden="true" />,
  funnel: <Funnel className={ICON} aria-hidden="true" />,
  number: <Hash className={ICON} aria-hidden="true" />,
  table: <Table2 className={ICON} aria-hidden="true" />,
};

/** "When the data was read": the freshness of a live tile, the date of a snapshot. */
function Freshness({ data, now }: { data: TileData; now: number }) {
  const at = (
    <time dateTime={data.readAt} title={formatDateTime(data.readAt)}>
      {data.live ? formatRelative(data.readAt, now) : formatDay(data.readAt)}
    </time>
  );
  return <span data-testid="tile-freshness">{data.live ? <>Data read {at}</> : <>Snapshot from {at}</>}</span>;
}

/** The tile's body: its chart (or rows), or what went wrong in plain words. */
function TileBody({ title, spec, result }: { title: string; spec: ChartSpec | null; result: QueryResult }) {
  if (!result.ok) {
    return (
      <div role="alert" className="rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-900">
        <p className="font-medium">This query could not run.</p>
        <p className="mt-0.5">{result.error}</p>
      </div>
    );
  }
  if (spec) {
    // The tile's heading already names it; a chart title that repeats it is left out.
    const shown = spec.title && spec.title.trim().toLowerCase() === title.trim().toLowerCase() && spec.kind !== 'number' ? { ...spec, title: null } : spec;
    if (result.rows.length === 0) return <p className="text-sm text-slate-600">The query returned no rows.</p>;
    return <ChartBlock spec={shown} data={result} />;
  }
  return <ResultTable label={`Rows of ${title}`} {...result} />;
}

export interface TileActions {
  update: (tile: Tile, body: UpdateTileBody, done?: string) => void;
  move: (tile: Tile, step: -1 | 1) => void;
  remove: (tile: Tile) => void;
}

/**
 * One tile: the artifact's title, how fresh its data is, its chart, a Refresh button for live
 * artifacts, and a menu to switch the chart, resize, move, export CSV or remove it.
 */
export function DashboardTile({
  tile,
  index,
  count,
  now,
  busy,
  actions,
}: {
  tile: Tile;
  index: number;
  count: number;
  now: number;
  /** A change to the tile is on its way to the server. */
  busy: boolean;
  actions: TileActions;
}) {
  const artifact = tile.artifact;
  const title = artifact.title || 'Saved report';
  const titleId = useId();
  const data = useTileData(artifact.id, artifact.is_live);
  const navigate = useNavigate();
  const menu = useRef<MenuButtonHandle>(null);
  const refocus = useRef(false);

  // Moving a tile moves its element; keep the keyboard where it was.
  useEffect(() => {
    if (!refocus.current) return;
    refocus.current = false;
    menu.current?.focus();
  }, [index]);

  const drawn = tileChart(tile);
  const queries = artifactQueries(artifact);
  const results = data.data?.results;
  const picked = results ? chartResult(results, drawn.query) : null;
  // A tile's own chart is checked against the artifact's first query (the request cannot name another).
  const base = results ? chartResult(results, queries[0]?.name)?.[1] : undefined;
  const switchFrom = base?.ok ? base : null;
  const columns = useMemo(() => switchFrom?.columns.map((name, i) => ({ name, type: switchFrom.types[i] ?? '' })) ?? null, [switchFrom]);
  const rowCount = switchFrom ? (switchFrom.rowCount ?? switchFrom.rows.length) : null;
  const currentKind: ChartKind = drawn.spec?.kind ?? 'table';
  const kinds = columns ? availableKinds(columns, drawn.spec, rowCount) : [];

  const exportCsv = async () => {
    const toastId = toast.loading(`Preparing ${title}.csv…`);
    try {
      const { truncated } = await downloadArtifactCsv(artifact, picked?.[0] ?? drawn.query);
      if (truncated) toast.warning('The file holds the rows up to the server’s limit: the query had more.', { id: toastId });
      else toast.success(`${title}: CSV downloaded`, { id: toastId });
    } catch (error) {
      const { title: what, detail } = describeError(error);
      toast.error(`Couldn't export the CSV. ${what}`, { id: toastId, description: detail ?? undefined });
    }
  };

  const groups: MenuGroup[] = [
    {
      key: 'chart',
      label: 'Show as',
      entries: [
        ...KIND_ORDER.filter((k) => kinds.includes(k) || k === currentKind).map((kind) => ({
          key: kind,
          label: KIND_LABELS[kind],
          icon: KIND_ICONS[kind],
          checked: kind === currentKind,
          disabled: busy || !columns,
          onSelect: () => {
            if (kind === currentKind || !columns) return;
            const chart = chartFor(kind, columns, drawn.spec, rowCount);
            if (chart) actions.update(tile, { chart }, `${title} is now shown as a ${KIND_LABELS[kind].toLowerCase()}.`);
          },
        })),
        ...(drawn.own
          ? [
              {
                key: 'reset',
                label: 'Reset to original chart',
                icon: <Undo2 className={ICON} aria-hidden="true" />,
                disabled: busy,
                onSelect: () => actions.update(tile, { chart: null }, `${title} is back to its original chart.`),
              },
            ]
          : []),
      ],
    },
    {
      key: 'size',
      label: `Size: ${widthName(tile.width)}, ${heightName(tile.height)}`,
      entries: [
        { key: 'wider', label: 'Wider', value: wider(tile.width), field: 'width' as const },
        { key: 'narrower', label: 'Narrower', value: narrower(tile.width), field: 'width' as const },
        { key: 'taller', label: 'Taller', value: taller(tile.height), field: 'height' as const },
        { key: 'shorter', label: 'Shorter', value: shorter(tile.height), field: 'height' as const },
      ].map(({ key, label, value, field }) => ({
        key,
        label,
        disabled: value === null,
        onSelect: () => value !== null && actions.update(tile, { [field]: value }),
      })),
    },
    {
      key: 'move',
      label: `Position: ${index + 1} of ${count}`,
      entries: [
        {
          key: 'earlier',
          label: 'Move earlier',
          icon: <ArrowLeft className={ICON} aria-hidden="true" />,
          disabled: index === 0,
          onSelect: () => {
            refocus.current = true;
            actions.move(tile, -1);
          },
        },
        {
          key: 'later',
          label: 'Move later',
          icon: <ArrowRight className={ICON} aria-hidden="true" />,
          disabled: index === count - 1,
          onSelect: () => {
            refocus.current = true;
            actions.move(tile, 1);
          },
        },
      ],
    },
    {
      key: 'other',
      entries: [
        { key: 'csv', label: 'Export CSV', icon: <FileDown className={ICON} aria-hidden="true" />, onSelect: () => void exportCsv() },
        ...(queries[0]
          ? [
              {
                key: 'explorer',
                label: 'Open in explorer',
                icon: <Code2 className={ICON} aria-hidden="true" />,
                onSelect: () => navigate('/explorer', { state: { sql: (queries.find((q) => q.name === picked?.[0]) ?? queries[0]!).sql } }),
              },
            ]
          : []),
        {
          key: 'remove',
          label: 'Remove from dashboard',
          icon: <X className={ICON} aria-hidden="true" />,
          tone: 'danger' as const,
          onSelect: () => actions.remove(tile),
        },
      ],
    },
  ];

  return (
    <li
      data-testid="tile"
      data-kind={currentKind}
      aria-labelledby={titleId}
      aria-busy={busy || data.isFetching}
      className={cx('flex min-w-0 flex-col rounded-xl border border-slate-200 bg-white', tileClasses(tile.width, tile.height))}
    >
      <header className="flex items-start gap-2 border-b border-slate-100 px-3 py-2">
        <div className="min-w-0 flex-1">
          <h2 id={titleId} className="truncate text-sm font-semibold text-slate-900" title={title}>
            {title}
          </h2>
          <p className="text-xs text-slate-600">
            {data.data ? <Freshness data={data.data} now={now} /> : data.isPending ? 'Reading the data…' : artifact.is_live ? 'Live' : 'Snapshot'}
          </p>
        </div>
        {artifact.is_live && (
          <button
            type="button"
            aria-label={`Refresh ${title}`}
            title="Refresh"
            disabled={data.isFetching}
            onClick={() => void data.refetch()}
            className="rounded-md p-1.5 text-slate-600 hover:bg-slate-100 hover:text-slate-900 disabled:cursor-wait"
          >
            <RefreshCw className={cx('size-4', data.isFetching && 'animate-spin')} aria-hidden="true" />
          </button>
        )}
        <MenuButton label={`Options for ${title}`} groups={groups} handle={menu} />
      </header>
      <div
        className={cx(
          'min-h-0 flex-1 overflow-auto p-3',
          // The chart fills the tile rather than its fixed chat height; the tile is the frame.
          '[&_figure]:flex [&_figure]:h-full [&_figure]:min-h-0 [&_figure]:flex-col [&_figure]:border-0 [&_figure]:p-0',
          '[&_[role=img]]:h-auto [&_[role=img]]:min-h-32 [&_[role=img]]:flex-1',
          // A table scrolls inside the tile, under its own sticky header, instead of in a box of its own.
          '[&_div:has(>[role=region])]:flex [&_div:has(>[role=region])]:h-full [&_div:has(>[role=region])]:min-h-0 [&_div:has(>[role=region])]:flex-1 [&_div:has(>[role=region])]:flex-col',
          '[&_[role=region]]:max-h-none [&_[role=region]]:min-h-0 [&_[role=region]]:flex-1',
        )}
      >
        {data.isPending ? (
          <LoadingBlock label={`Loading ${title}…`} lines={3} />
        ) : data.isError ? (
          <ErrorAlert error={data.error}>
            <Button variant="secondary" className="mt-2" onClick={() => void data.refetch()}>
              Try again
            </Button>
          </ErrorAlert>
        ) : !picked ? (
          <p className="text-sm text-slate-600">This saved report has no data.</p>
        ) : (
          <TileBody title={title} spec={drawn.spec} result={picked[1]} />
        )}
      </div>
    </li>
  );
}
