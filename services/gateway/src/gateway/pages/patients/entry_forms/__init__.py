"""The fields of the patient pages' HTML forms: the registration card, care records, 菌検査, CSV export."""
