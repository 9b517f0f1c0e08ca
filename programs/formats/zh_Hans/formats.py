"""Simplified Chinese as the offices write it: figures grouped by thousands with commas (1,540,000.00), as in
their reports, where Django groups by ten thousands with no separator at all; ISO dates first among the input
formats, so that a date input (``type="date"``) receives a value it accepts."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2016-09-05', what <input type="date"> sends and accepts
    "%Y/%m/%d",  # '2016/09/05'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",  # '2016-09-05T20:45', what <input type="datetime-local"> sends and accepts
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
]
