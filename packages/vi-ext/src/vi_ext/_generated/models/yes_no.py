from enum import StrEnum


class YesNo(StrEnum):
    NO = "n"
    YES = "y"

    def __str__(self) -> str:
        return str(self.value)
