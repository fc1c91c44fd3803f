"""Jobs and runtimes render as compact HTML tables in Jupyter (`_repr_html_`) and stay plain lists elsewhere."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient
from kubeflow.trainer.options import Name


class _Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table(html: str) -> list[dict[str, str]]:
    parser = _Table()
    parser.feed(html)
    header, *rows = parser.rows
    return [dict(zip(header, row, strict=True)) for row in rows]


def hello() -> None:
    print("<b>hello</b>")


def test_jobs_and_runtimes_render_as_tables(tmp_path: Path) -> None:
    client = TrainerClient(LocalProcessBackendConfig(state_dir=tmp_path / "state"))
    for name in ("first-job", "second-job"):
        client.train(trainer=CustomTrainer(func=hello, num_nodes=2), options=[Name(name)])
        client.wait_for_job_status(name, timeout=120)

    jobs = client.list_jobs()
    assert isinstance(jobs, list) and len(jobs) == 2
    rows = table(jobs._repr_html_())  # type: ignore[attr-defined]
    assert sorted(row["name"] for row in rows) == ["first-job", "second-job"]
    assert {row["status"] for row in rows} == {"Complete"}
    assert {row["nodes"] for row in rows} == {"2"}
    assert {row["steps"] for row in rows} == {"node-0: Succeeded, node-1: Succeeded"}

    one = table(client.get_job("first-job")._repr_html_())
    assert one == [row for row in rows if row["name"] == "first-job"]

    runtimes = table(client.list_runtimes()._repr_html_())  # type: ignore[attr-defined]
    assert {row["name"] for row in runtimes} >= {"torch-distributed"}
    assert table(client.get_runtime("torch-distributed")._repr_html_())[0]["name"] == "torch-distributed"


def test_cells_are_escaped_and_other_lists_fall_back_to_text() -> None:
    from kubeflow.trainer.types.display import DisplayList, html_table

    html = html_table(("name",), [("<script>x</script>",)])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert DisplayList([1, 2])._repr_html_() is None
    assert DisplayList()._repr_html_() is None
    assert DisplayList([1]) == [1]
