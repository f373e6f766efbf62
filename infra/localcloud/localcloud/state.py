"""Keep every file LocalStack writes under the local cloud's state folder (.localcloud/).

With ``OVERRIDE_IN_DOCKER=0`` (set by ``cloud.localstack_env``) LocalStack uses its host
layout under ``FILESYSTEM_ROOT`` even when the machine itself is a container. S3's object
store is a hard-coded ``/tmp/localstack-s3-storage``; this start-up hook moves it into
LocalStack's temporary folder, which is under the state folder too.
"""

from __future__ import annotations

import os

from localstack import config
from localstack.runtime import hooks


@hooks.on_infra_start()
def keep_s3_objects_in_state_folder() -> None:
    from localstack.services.s3 import provider

    provider.DEFAULT_S3_TMP_DIR = os.path.join(config.dirs.tmp, "s3-storage")
