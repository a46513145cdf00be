"""Reading datasets: EchoNet-Dynamic (the training source) and CAMUS (the usual external set), local or gs://.

echonet (FileList.csv + VolumeTracings.csv + Videos/ -> tasks, decoded videos, rejects) over video (AVI
decoding) and rejects (the stable reject reasons); camus (the external-validation recipe); inspection
(``lvseg inspect``) and ceiling (``lvseg ceiling``) are the commands built on them.
"""
