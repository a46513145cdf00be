"""lvseg: left-ventricle segmentation of echocardiogram videos (EchoNet-Dynamic), for research only.

The package holds the domain core every stage shares: dataset reading, LV geometry, the record
schema, metrics, synthetic data and the ``lvseg`` command line.
"""

__version__ = "0.1.0"

RESEARCH_NOTICE = (
    "lvseg is research software. It is not a medical device and must not be used for clinical decisions."
)
