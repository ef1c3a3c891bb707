"""Indonesian names for the contract's codes, as the desk reads them. Pure data."""

STATUS = {
    "received": "Diterima",
    "needs_info": "Menunggu informasi pelapor",
    "verified": "Terverifikasi (triase)",
    "dispatched": "Didisposisikan",
    "in_progress": "Sedang ditangani",
    "responded": "Sudah ditanggapi",
    "closed": "Selesai",
    "archived": "Diarsipkan",
}
TYPE = {
    "information": "Permintaan informasi",
    "non_field": "Tanpa pemeriksaan lapangan",
    "field_inspection": "Pemeriksaan lapangan",
}
CHANNEL = {
    "call_center": "Call center",
    "sms_1708": "SMS 1708",
    "social_media": "Media sosial",
    "counter": "Loket",
    "web": "Situs web",
    "mobile_app": "Aplikasi",
    "lapor_hub": "LAPOR! nasional",
}
EVENT = {
    "received": "Diterima",
    "needs_info": "Informasi diminta",
    "info_supplied": "Informasi dilengkapi",
    "verified": "Diverifikasi",
    "archived": "Diarsipkan",
    "dispatched": "Didisposisikan",
    "acknowledged": "Diterima instansi",
    "transferred": "Dialihkan",
    "transfer_requested": "Pengalihan diminta",
    "responded": "Ditanggapi",
    "feedback_received": "Umpan balik pelapor",
    "reopened": "Dibuka kembali",
    "closed": "Ditutup",
    "due_soon": "Segera jatuh tempo",
    "overdue": "Lewat batas waktu",
    "escalated": "Dieskalasi",
    "deadline_extended": "Batas waktu diperpanjang",
    "reporter_corrected": "Data pelapor dikoreksi",
}
ACTION = {
    "verify": "Verifikasi",
    "request_info": "Minta informasi",
    "archive": "Arsipkan",
    "dispatch": "Disposisikan",
    "acknowledge": "Terima untuk ditangani",
    "transfer": "Alihkan",
    "respond": "Tanggapi",
    "extend": "Perpanjang batas waktu",
}
ARCHIVE_REASON = {
    "unclear": "Tidak jelas",
    "duplicate": "Duplikat",
    "not_a_complaint": "Bukan pengaduan",
    "out_of_scope": "Di luar kewenangan",
    "incomplete": "Tidak lengkap",
}
RESOLUTION = {"resolved": "Selesai ditangani", "not_settleable": "Tidak dapat diselesaikan"}
# The status mix of the dashboard: the summary's measures (app/reports) that split a period's
# complaints by where they stand, in the order a complaint moves.
STATUS_MIX = (
    ("not_verified", "Belum diverifikasi"),
    ("waiting_for_information", "Menunggu informasi"),
    ("in_process", "Dalam proses"),
    ("responded", "Ditanggapi"),
    ("settled", "Selesai"),
    ("not_settleable", "Tidak dapat diselesaikan"),
    ("archived", "Diarsipkan"),
)
