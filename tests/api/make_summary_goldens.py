"""Writes the expected summary tables in tests/api/summary_table_test.cpp with the real `rich`.

The table is built exactly as keras/src/utils/summary_utils.py (Keras 3.15) builds it: fixed-width
rich Columns at int(pos * line_length) offsets, Table(width=line_length, show_lines=True), printed by
a capturing Console (force_terminal=False, color_system=None), which is what Keras prints to a
file or a pipe. Needs only `pip install rich` (15.0 was used); run it and paste the output.

    python3 tests/api/make_summary_goldens.py > /tmp/goldens.txt
"""

import rich.console
import rich.markup
import rich.table


def readable_memory_size(size):
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if size / 1024 < 1:
            return "{:.2f} {}".format(size, unit)
        size /= 1024
    return "{:.2f} {}".format(size, units[-1])


def summary(name, rows, trainable, non_trainable, optimizer=None, sequential_like=True,
            line_length=None):
    """rows: (layer name, class name, shape, params or None, connected_to); counts are f32."""
    if sequential_like:
        line_length = line_length or 88
        positions = [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        alignment = ["left", "left", "right"]
    else:
        line_length = line_length or 108
        positions = [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        alignment = ["left", "left", "right", "left"]
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        widths.append(width)
        current += width
    columns = [rich.table.Column(h, justify=a, width=w) for h, a, w in zip(header, alignment, widths)]
    table = rich.table.Table(*columns, width=line_length, show_lines=True)
    for layer, cls, shape, params, connected in rows:
        fields = [rich.markup.escape(layer) + f" ([color(33)]{rich.markup.escape(cls)}[/])", shape,
                  "[color(34)]0[/] (unbuilt)" if params is None else f"[color(34)]{params:,}[/]"]
        if not sequential_like:
            fields.append(connected or "-")
        table.add_row(*fields)
    console = rich.console.Console(highlight=False, force_terminal=False, color_system=None)
    console.begin_capture()
    console.print(f'[bold]Model: "{rich.markup.escape(name)}"[/]')
    console.print(table)
    total = trainable + non_trainable + (optimizer or 0)
    console.print(f"[bold] Total params: [/][color(34)]{total:,}[/] ({readable_memory_size(total * 4)})")
    console.print(f"[bold] Trainable params: [/][color(34)]{trainable:,}[/] ({readable_memory_size(trainable * 4)})")
    console.print(f"[bold] Non-trainable params: [/][color(34)]{non_trainable:,}[/] ({readable_memory_size(non_trainable * 4)})")
    if optimizer is not None:
        console.print(f"[bold] Optimizer params: [/][color(34)]{optimizer:,}[/] ({readable_memory_size(optimizer * 4)})")
    return console.end_capture()


SEQ_ROWS = [
    ("conv2d", "Conv2D", "(None, 26, 26, 8)", 80, None),
    ("batch_normalization", "BatchNormalization", "(None, 26, 26, 8)", 32, None),
    ("max_pooling2d", "MaxPooling2D", "(None, 13, 13, 8)", 0, None),
    ("flatten", "Flatten", "(None, 1352)", 0, None),
    ("dense", "Dense", "(None, 10)", 13530, None),
]

CASES = {
    "seq_76": lambda: summary("seq", SEQ_ROWS, 13626, 16, line_length=76),
    "seq_88": lambda: summary("seq", SEQ_ROWS, 13626, 16, line_length=88),
    "mlp_optimizer_88": lambda: summary("sequential", [
        ("flatten", "Flatten", "(None, 784)", 0, None),
        ("dense", "Dense", "(None, 128)", 100480, None),
        ("dropout", "Dropout", "(None, 128)", 0, None),
        ("dense_1", "Dense", "(None, 10)", 1290, None),
    ], 101770, 0, optimizer=203542, line_length=88),
    "long_names_76": lambda: summary("a_model_with_a_long_name", [
        ("a_really_long_layer_name_that_cannot_fit_in_the_column", "Dense", "?", None, None),
        ("conv2d_transpose_12", "Conv2DTranspose", "(None, 128, 128, 256, 3)", 1234567, None),
        ("x", "Dense", "(None, 4)\n(None, 5)", 20, None),
    ], 1234587, 0, line_length=76),
    "functional_76": lambda: summary("functional", [
        ("a", "InputLayer", "(None, 4)", 0, None),
        ("b", "InputLayer", "(None, 3)", 0, None),
        ("dense_2", "Dense", "(None, 8)", 40, "a[0][0]"),
        ("concatenate", "Concatenate", "(None, 11)", 0, "dense_2[0][0], b[0][0]"),
        ("dense_3", "Dense", "(None, 1)", 12, "concatenate[0][0]"),
    ], 52, 0, sequential_like=False, line_length=76),
    "functional_108": lambda: summary("functional", [
        ("a", "InputLayer", "(None, 4)", 0, None),
        ("concatenate", "Concatenate", "(None, 11)", 0, "dense_2[0][0], b[0][0], c[0][0], d[0][0]"),
    ], 0, 0, optimizer=1, sequential_like=False),
}

if __name__ == "__main__":
    for key, make in CASES.items():
        print(f"==== {key}")
        print(make(), end="")
