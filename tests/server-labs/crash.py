# Crashes before listening.
import os
port = int(os.environ["NETLAB_PORTT"])
