"""The training scripts' arguments: flags or one JSON file, every mistake one line."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from training.args import parse_args, run_script


@dataclass
class _Args:
    rates: tuple[float, ...] = field(default=(0.2,), metadata={"help": "spin rates"})
    spins_per_text: int = field(default=2, metadata={"help": "spins of each text"})
    out: Path = field(default=Path("out"), metadata={"help": "folder"})
    overwrite: bool = field(default=False, metadata={"help": "replace"})


def _config(tmp_path: Path, settings: object) -> str:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(settings), encoding="utf-8")
    return str(path)


def test_a_json_config_gives_the_same_settings_as_flags(tmp_path: Path) -> None:
    flags = parse_args([_Args], ["--rates", "0.3", "0.4", "--spins-per-text", "3"])
    config = _config(tmp_path, {"rates": [0.3, 0.4], "spins_per_text": 3})
    assert parse_args([_Args], [config]) == flags


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ({"rates": 0.3}, "rates must be a list, got 0.3"),
        ({"spins_per_text": "two"}, 'spins_per_text must be a whole number, got "two"'),
        ({"spins_per_text": 2.5}, "spins_per_text must be a whole number"),
        ({"rates": ["a"]}, "rates must be a list whose items are each a number"),
        ({"overwrite": "yes"}, "overwrite must be true or false"),
        ({"out": 3}, "out must be a string"),
        ([1, 2], "must hold one JSON object"),
    ],
)
def test_a_json_config_of_the_wrong_type_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: object, said: str
) -> None:
    # A trial's {"rates": 0.3} ended in "TypeError: 'float' object is not iterable".
    with pytest.raises(SystemExit) as stopped:
        parse_args([_Args], [_config(tmp_path, settings)], prog="python -m training.x")
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1


def test_a_config_file_with_flags_beside_it_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_args([_Args], [_config(tmp_path, {}), "--out", "x"])
    assert "must be given alone" in capsys.readouterr().err


def test_ctrl_c_ends_a_script_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted() -> int:
        raise KeyboardInterrupt

    assert run_script(interrupted) == 130
    assert capsys.readouterr().err == "interrupted\n"
    assert run_script(lambda: 0) == 0


def test_a_json_config_may_give_one_item_where_a_list_is_read(tmp_path: Path) -> None:
    # The dataset's `corpus` and evaluate's `models` read a string as a list of one, and
    # the dataset's `profile` reads a list: their JSON forms are kept (a review).
    from training.dataset import DataArgs

    (args,) = parse_args(
        [DataArgs],
        [_config(tmp_path, {"corpus": "a.jsonl", "profile": ["moby", "paratable"]})],
    )
    assert args.corpus == ["a.jsonl"] and "moby" in str(args.profile)


def test_sigterm_ends_a_script_with_one_line_and_status_143(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os
    import signal

    def terminated() -> int:
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("not stopped")

    before = signal.getsignal(signal.SIGTERM)
    assert run_script(terminated) == 143
    assert capsys.readouterr().err == "terminated\n"
    assert signal.getsignal(signal.SIGTERM) == before
