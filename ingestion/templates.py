"""The manual-order import template, as CSV and as XLSX (what ``ingestion.manual.import_rows`` reads).

One row per order line; the order-level columns are repeated on every line of the same
order_number. The CSV's second row explains each column (it starts with ``##`` and is skipped on
import); the XLSX explains them on an ``Instructions`` sheet. Both carry two example rows (one
order of two lines, order number ``EXAMPLE-1001``) that the import refuses until they are deleted
or renumbered, so an untouched example never becomes an order.
"""

from __future__ import annotations

import csv
import io

from ingestion.manual import COMMENT_PREFIX, EXAMPLE_PREFIX, IMPORT_COLUMNS, REQUIRED_COLUMNS

CSV_FILENAME = "manual_orders_template.csv"
XLSX_FILENAME = "manual_orders_template.xlsx"
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What each column means (the CSV's explanation row and the XLSX's Instructions sheet).
EXPLANATIONS: dict[str, str] = {
    "order_number": "Your order number, unique in your account. Repeat it on every line of the order.",
    "ordered_at": "When the order was placed: 2025-03-01 14:05 (the store's time zone) or with an "
    "offset, 2025-03-01T14:05:00+03:00.",
    "currency": "ISO 4217 code such as SAR, AED, THB. Blank: the store's currency.",
    "payment_method": "cod (cash on delivery) or prepaid.",
    "buyer_name": "The buyer's name, in any script.",
    "buyer_phone": "The buyer's phone, best with the country code (+966 50 123 4567). Required for cod.",
    "buyer_email": "Optional.",
    "ship_country": "ISO 3166 two-letter code: SA, AE, TH, VN...",
    "ship_province": "Province, region or emirate. Optional.",
    "ship_city": "City.",
    "ship_district": "District or neighbourhood. Optional.",
    "address_line1": "Street address.",
    "address_line2": "Building, floor, landmark. Optional.",
    "ship_postal_code": "Optional.",
    "shipping_amount": "Shipping charged to the buyer, dot for decimals (15.00). Blank: 0.",
    "discount_amount": "Order discount. Blank: 0.",
    "tax_amount": "Tax included in the order. Blank: 0.",
    "notes": "Anything the warehouse or reviewers should read. Optional.",
    "sku": "Your SKU for this line.",
    "title": "Product name for this line. Blank: the SKU.",
    "quantity": "Whole number, at least 1.",
    "unit_price": "Price of one unit, dot for decimals (99.50).",
}

_FIRST_EXAMPLE_LINE: dict[str, str] = {
    "order_number": f"{EXAMPLE_PREFIX}1001",
    "ordered_at": "2025-03-01 14:05",
    "currency": "SAR",
    "payment_method": "cod",
    "buyer_name": "محمد العتيبي",
    "buyer_phone": "+966 50 123 4567",
    "buyer_email": "",
    "ship_country": "SA",
    "ship_province": "Riyadh Region",
    "ship_city": "Riyadh",
    "ship_district": "Al Olaya",
    "address_line1": "King Fahd Road 1234",
    "address_line2": "Building 7, floor 2",
    "ship_postal_code": "12211",
    "shipping_amount": "15.00",
    "discount_amount": "0.00",
    "tax_amount": "0.00",
    "notes": "Call before delivery",
    "sku": "TSHIRT-BLK-M",
    "title": "T-shirt black M",
    "quantity": "2",
    "unit_price": "49.50",
}

# The second line of the same order: order-level columns repeat, the line columns change.
EXAMPLE_ROWS: tuple[dict[str, str], ...] = (
    _FIRST_EXAMPLE_LINE,
    {**_FIRST_EXAMPLE_LINE, "sku": "CAP-RED", "title": "قبعة حمراء", "quantity": "1", "unit_price": "30.00"},
)

# Columns kept as text in the XLSX, so Excel does not drop a phone's + or a leading zero.
_TEXT_COLUMNS = ("order_number", "buyer_phone", "ship_postal_code", "sku", "ordered_at")


def explanation(column: str) -> str:
    required = "Required. " if column in REQUIRED_COLUMNS else ""
    return f"{required}{EXPLANATIONS[column]}"


def template_csv() -> bytes:
    """Header, the explanation row (starts with ``##``: skipped on import), two example rows.

    UTF-8 with a BOM, so Excel opens Arabic and Thai text correctly.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(IMPORT_COLUMNS)
    notes = [explanation(c) for c in IMPORT_COLUMNS]
    notes[0] = (
        f"{COMMENT_PREFIX} One row per order line; repeat the order columns on each line. "
        f"Delete this row and the examples. {notes[0]}"
    )
    writer.writerow(notes)
    for row in EXAMPLE_ROWS:
        writer.writerow([row[c] for c in IMPORT_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """An ``Orders`` sheet (header and two example rows) and an ``Instructions`` sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    orders = workbook.active
    orders.title = "Orders"
    orders.append(list(IMPORT_COLUMNS))
    for cell in orders[1]:
        cell.font = Font(bold=True)
    for row in EXAMPLE_ROWS:
        orders.append([row[c] for c in IMPORT_COLUMNS])
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        letter = get_column_letter(index)
        orders.column_dimensions[letter].width = max(12, len(column) + 4)
        if column in _TEXT_COLUMNS:
            orders.column_dimensions[letter].number_format = "@"  # typed as text in the whole column
            for r in range(2, len(EXAMPLE_ROWS) + 2):
                orders[f"{letter}{r}"].number_format = "@"
    orders.freeze_panes = "A2"

    instructions = workbook.create_sheet("Instructions")
    instructions.append(["How to fill the Orders sheet"])
    instructions["A1"].font = Font(bold=True)
    for text in (
        "One row per order line. Repeat the order columns (order_number to notes) on each line of the "
        "same order; a blank order cell on a later line takes the value of the order's first line.",
        f"Delete the example rows ({EXAMPLE_PREFIX}1001): the import refuses them.",
        "Rows are reported by their row number in the sheet (the header is row 1). An order with any "
        "bad row is not imported; fix the rows and upload the file again (orders already imported "
        "are not imported twice).",
        "",
    ):
        instructions.append([text])
    instructions.append(["Column", "Required", "What to put", "Example"])
    header_row = instructions.max_row
    for cell in instructions[header_row]:
        cell.font = Font(bold=True)
    for column in IMPORT_COLUMNS:
        instructions.append(
            [
                column,
                "yes" if column in REQUIRED_COLUMNS else "no",
                EXPLANATIONS[column],
                EXAMPLE_ROWS[0][column],
            ]
        )
    instructions.column_dimensions["A"].width = 20
    instructions.column_dimensions["B"].width = 10
    instructions.column_dimensions["C"].width = 90
    instructions.column_dimensions["D"].width = 30
    for row in instructions.iter_rows(min_row=header_row + 1):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
