"""Masking of personal data."""

from minyi.privacy import mask_address, mask_id_number, mask_name, mask_phone, mask_text


def test_masks() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("330102199001011234") == "330102********1234"
    assert "18号" not in mask_address("东村三组18号")


def test_mask_text_hides_phones_and_id_numbers_inside_free_text() -> None:
    text = "我叫李四，电话13812345678，身份证330102199001011234，座机0577-88881234。"
    masked = mask_text(text)
    assert "13812345678" not in masked
    assert "138****5678" in masked
    assert "330102199001011234" not in masked
    assert "88881234" not in masked
